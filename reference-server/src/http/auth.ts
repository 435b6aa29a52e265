import type { Role } from "@mpvstream/core";
import { isTokenError, type TokenErrorCode } from "@mpvstream/token";
import type { NextFunction, Request, Response } from "express";
import type { AppContext, Caller } from "./context.js";
import { HttpProblem } from "./problem.js";

const DETAILS: Partial<Record<TokenErrorCode, string>> = {
  expired: "The access token has expired; refresh it.",
  not_yet_valid: "The access token is not valid yet.",
  malformed: "The bearer value is not an access token.",
  wrong_type: "This token is not an access token.",
  alg_not_allowed: "The token's algorithm is not accepted.",
  unknown_key: "The token was signed by a key this server does not know.",
  bad_signature: "The token's signature does not verify.",
  wrong_issuer: "The token was issued for another server.",
  wrong_audience: "The token was issued for another audience.",
  revoked: "The token has been revoked.",
};

const challenge = (error?: string) => ({
  "WWW-Authenticate":
    error === undefined ? 'Bearer realm="mpvstream"' : `Bearer realm="mpvstream", error="${error}"`,
});

/** The caller of a request that passed {@link authenticate}. */
export const caller = (res: Response): Caller => res.locals.caller as Caller;

/**
 * Middleware: requires `Authorization: Bearer <access token>` (and the admin role when `role` is
 * `"admin"`), answering 401 `unauthorized` / `invalid_token` or 403 `forbidden`.
 */
export function authenticate(ctx: AppContext, role: Role = "user") {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    if (header === undefined || header === "") {
      throw new HttpProblem("unauthorized", "Send Authorization: Bearer <access_token>.", {
        headers: challenge(),
      });
    }
    const match = /^Bearer +([^\s]+) *$/i.exec(header);
    if (!match?.[1]) {
      throw new HttpProblem("invalid_token", "The Authorization header must be Bearer <access_token>.", {
        headers: challenge("invalid_request"),
      });
    }
    let claims: { sub: string; role: Role };
    try {
      claims = await ctx.tokens.verify(match[1]);
    } catch (error) {
      if (!isTokenError(error)) throw error;
      throw new HttpProblem("invalid_token", DETAILS[error.code] ?? "The access token is not valid.", {
        headers: challenge("invalid_token"),
      });
    }
    if (role === "admin" && claims.role !== "admin") {
      throw new HttpProblem("forbidden", "This call needs an admin.");
    }
    res.locals.caller = { userId: claims.sub, role: claims.role } satisfies Caller;
    next();
  };
}

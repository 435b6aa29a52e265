import type { NextFunction, Request, RequestHandler, Response } from "express";
import { isRateLimitError, RateLimitError } from "./errors.js";
import { addressKey } from "./internal/address.js";
import { policyItem, stateItem } from "./internal/headers.js";
import type { RateLimiter } from "./limiter.js";

/**
 * Picks the bucket of a request; `undefined` lets the request through unlimited by this
 * middleware (an anonymous request under a per-account limit, say).
 *
 * @example
 * ```ts
 * const byApiKey: KeyFunction = (req) => req.get("x-api-key");
 * ```
 */
export type KeyFunction = (req: Request) => string | undefined | Promise<string | undefined>;

/**
 * Keys by client address as Express sees it (`req.ip`, so the app's `trust proxy` setting
 * decides whether `X-Forwarded-For` counts); IPv6 addresses are grouped by /64.
 *
 * @example
 * ```ts
 * app.set("trust proxy", "loopback");
 * app.post("/auth/login", rateLimit({ limiter, key: byAddress }));
 * ```
 */
export const byAddress: KeyFunction = (req) =>
  `ip:${addressKey(req.ip ?? req.socket.remoteAddress ?? "unknown")}`;

/**
 * Keys by account, with `account` reading the account id (or normalised email) from the request.
 *
 * @example
 * ```ts
 * app.post("/auth/login", express.json(), rateLimit({ limiter, key: byAccount((req) => req.body?.email?.toLowerCase()) }));
 * ```
 */
export function byAccount(
  account: (req: Request) => string | undefined | Promise<string | undefined>,
): KeyFunction {
  return async (req) => {
    const id = await account(req);
    return id === undefined || id === "" ? undefined : `account:${id}`;
  };
}

/**
 * Options of {@link rateLimit}.
 *
 * @example
 * ```ts
 * const options: RateLimitMiddlewareOptions = { limiter, key: byAddress, skip: (req) => req.ip === "127.0.0.1" };
 * ```
 */
export interface RateLimitMiddlewareOptions {
  /** The limiter that decides. */
  readonly limiter: RateLimiter;
  /** Which bucket a request draws from. */
  readonly key: KeyFunction;
  /** Requests for which this returns true pass untouched (no headers either). */
  readonly skip?: (req: Request) => boolean | Promise<boolean>;
  /** Units a request costs (default 1), fixed or per request. */
  readonly cost?: number | ((req: Request) => number | Promise<number>);
  /** Name of the policy in the headers (default the limiter's `name`); printable ASCII. */
  readonly policyName?: string;
}

const problem = (res: Response, status: 429 | 503, code: string, title: string, detail: string): void => {
  res
    .status(status)
    .set("Content-Type", "application/problem+json")
    .send(JSON.stringify({ type: `urn:mpvstream:problem:${code}`, title, status, detail, code }));
};

/**
 * Express middleware: sets `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers-09)
 * on every answer it lets through or refuses, and refuses with 429 `rate_limited`
 * problem+json and `Retry-After`. When the store fails and the limiter fails closed it
 * answers 503 `service_unavailable` with `Retry-After: 1`; other errors go to `next`.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ name: "login", limit: 5, periodMs: 60_000 });
 * app.post("/auth/login", rateLimit({ limiter, key: byAddress }), login);
 * ```
 */
export function rateLimit(options: RateLimitMiddlewareOptions): RequestHandler {
  const { limiter, key, skip, cost = 1 } = options;
  const name = options.policyName ?? limiter.name;
  if (!/^[\x20-\x7e]*$/.test(name)) {
    throw new RateLimitError("invalid_options", "policyName must be printable ASCII");
  }
  const policy = policyItem(name, limiter.policy);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      if (skip !== undefined && (await skip(req))) return next();
      const bucket = await key(req);
      if (bucket === undefined) return next();
      const units = typeof cost === "number" ? cost : await cost(req);
      const decision = await limiter.consume(bucket, units);
      res.append("RateLimit-Policy", policy);
      res.append("RateLimit", stateItem(name, decision));
      if (decision.allowed) return next();
      const retryAfterS = Math.ceil(decision.retryAfterMs / 1000);
      res.set("Retry-After", String(retryAfterS));
      problem(
        res,
        429,
        "rate_limited",
        "Too many requests",
        `Rate limit "${name}" reached; retry in ${retryAfterS} s.`,
      );
    } catch (error) {
      if (isRateLimitError(error, "store_unavailable")) {
        res.set("Retry-After", "1");
        problem(
          res,
          503,
          "service_unavailable",
          "The service is unavailable for a moment",
          "The rate limit store cannot be reached.",
        );
        return;
      }
      next(error);
    }
  };
}

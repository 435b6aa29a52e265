import { randomUUID } from "node:crypto";
import {
  LedgerQuerySchema,
  LoginRequestSchema,
  RefreshRequestSchema,
  type TokenResponse,
  type User,
} from "@mpvstream/core";
import { byAccount, byAddress, rateLimit } from "@mpvstream/ratelimit/express";
import type { Express } from "express";
import { hashPassword, verifyPassword } from "../auth/passwords.js";
import { createRefreshToken, hashRefreshToken } from "../auth/refresh.js";
import type { Queryable } from "../db/database.js";
import { authenticate, caller } from "../http/auth.js";
import type { AppContext } from "../http/context.js";
import { HttpProblem } from "../http/problem.js";
import { parseBody, parseQuery } from "../http/validate.js";
import { refreshTokens } from "../store/refresh-tokens.js";

const invalidToken = (detail: string) =>
  new HttpProblem("invalid_token", detail, { headers: { "WWW-Authenticate": 'Bearer realm="mpvstream"' } });

/** Registers `/auth/login`, `/auth/refresh`, `/auth/logout`, `/me` and `/me/ledger`. */
export function authRoutes(app: Express, ctx: AppContext): void {
  // Unknown emails are checked against this hash, so that they take as long as known ones.
  const decoy = hashPassword(randomUUID(), ctx.passwordCost);
  decoy.catch(() => {});

  const issue = async (user: User, family: string, db: Queryable = ctx.db): Promise<TokenResponse> => {
    const now = ctx.clock();
    const refresh = createRefreshToken();
    await refreshTokens.insert(db, {
      hash: refresh.hash,
      family,
      userId: user.id,
      expiresAt: now + ctx.config.refreshTokenTtlS * 1000,
      now,
    });
    const access = await ctx.tokens.sign({ sub: user.id, role: user.role });
    return {
      access_token: access.token,
      token_type: "Bearer",
      expires_in: access.expiresIn,
      refresh_token: refresh.token,
      user,
    };
  };

  app.post(
    "/auth/login",
    rateLimit({ limiter: ctx.limiters.loginPerAddress, key: byAddress }),
    rateLimit({
      limiter: ctx.limiters.loginPerAccount,
      key: byAccount((req) => {
        const email = (req.body as { email?: unknown } | undefined)?.email;
        return typeof email === "string" ? email.toLowerCase().slice(0, 254) : undefined;
      }),
    }),
    async (req, res) => {
      const body = parseBody(LoginRequestSchema, req);
      const row = await ctx.users.findByEmail(body.email);
      const ok = await verifyPassword(body.password, row?.password_hash ?? (await decoy));
      if (!row || !ok) {
        ctx.metrics.recordLoginFailure();
        throw new HttpProblem("invalid_credentials", "The email or password is wrong.");
      }
      // The per-account limit is there against guessing: a success clears the account's failures.
      await ctx.limiters.loginPerAccount
        .reset(`account:${body.email.toLowerCase().slice(0, 254)}`)
        .catch(() => {});
      const user = { id: row.id, email: row.email, role: row.role, points_balance: Number(row.balance) };
      res.json(await issue(user, randomUUID()));
    },
  );

  app.post("/auth/refresh", async (req, res) => {
    const body = parseBody(RefreshRequestSchema, req);
    const hash = hashRefreshToken(body.refresh_token);
    if (hash === undefined) throw invalidToken("This is not a refresh token.");
    const now = ctx.clock();
    let reused: string | undefined;
    try {
      const answer = await ctx.db.transaction(async (tx) => {
        const record = await refreshTokens.consume(tx, hash, now);
        if (!record) throw invalidToken("This refresh token is unknown.");
        if (record.revokedAt !== null) throw invalidToken("This refresh token was revoked; log in again.");
        if (record.rotatedAt !== null) {
          reused = record.family;
          throw invalidToken(
            "This refresh token was already used; every token of this login is now revoked.",
          );
        }
        if (now >= record.expiresAt) throw invalidToken("This refresh token has expired; log in again.");
        const user = await ctx.users.get(record.userId, tx);
        if (!user) throw invalidToken("The user of this refresh token no longer exists.");
        return issue(user, record.family, tx);
      });
      res.json(answer);
    } catch (error) {
      // A reused token was stolen or replayed: its whole family goes, outside the rolled-back transaction.
      if (reused !== undefined) await refreshTokens.revokeFamily(ctx.db, reused, now);
      throw error;
    }
  });

  app.post("/auth/logout", async (req, res) => {
    const body = parseBody(RefreshRequestSchema, req);
    const hash = hashRefreshToken(body.refresh_token);
    if (hash !== undefined) await refreshTokens.revokeByHash(ctx.db, hash, ctx.clock());
    res.status(204).end();
  });

  app.get("/me", authenticate(ctx), async (_req, res) => {
    const id = caller(res).userId;
    const user = ctx.userCache.peek(id) ?? (await ctx.userCache.get(id));
    if (!user) throw new HttpProblem("unauthorized", "The user of this token no longer exists.");
    res.json(user);
  });

  app.get("/me/ledger", authenticate(ctx), async (req, res) => {
    const { limit } = parseQuery(LedgerQuerySchema, req);
    res.json({ entries: await ctx.users.ledger(caller(res).userId, limit) });
  });
}

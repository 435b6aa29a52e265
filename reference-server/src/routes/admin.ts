import {
  CreateUserRequestSchema,
  PointsChangeRequestSchema,
  SessionIdSchema,
  UserIdSchema,
} from "@mpvstream/core";
import type { Express } from "express";
import { hashPassword } from "../auth/passwords.js";
import { authenticate, caller } from "../http/auth.js";
import type { AppContext } from "../http/context.js";
import { idempotent } from "../http/idempotency.js";
import { HttpProblem } from "../http/problem.js";
import { parseBody } from "../http/validate.js";
import { sessions, toPlaybackSession } from "../store/sessions.js";

/** Registers `/admin/users...` and `/admin/sessions...`. */
export function adminRoutes(app: Express, ctx: AppContext): void {
  const admin = authenticate(ctx, "admin");

  app.get("/admin/users", admin, async (_req, res) => {
    res.json({ users: await ctx.users.list() });
  });

  app.post("/admin/users", admin, async (req, res) => {
    const body = parseBody(CreateUserRequestSchema, req);
    const passwordHash = await hashPassword(body.password, ctx.passwordCost);
    const user = await ctx.users.create({
      email: body.email,
      passwordHash,
      role: body.role,
      balance: body.points_balance ?? 0,
      now: ctx.clock(),
    });
    if (!user) throw new HttpProblem("user_exists", `A user with the email ${body.email} exists already.`);
    res.status(201).location(`/admin/users/${user.id}`).json(user);
  });

  app.post("/admin/users/:id/points", admin, async (req, res) => {
    const userId = String(req.params.id);
    const body = parseBody(PointsChangeRequestSchema, req);
    if (!UserIdSchema.safeParse(userId).success) throw new HttpProblem("not_found", "There is no such user.");
    await idempotent(ctx, req, res, caller(res).userId, async (record, key) => {
      let answer: { points_balance: number } | undefined;
      const outcome = await ctx.users.changePoints({
        userId,
        delta: body.delta,
        reason: body.reason,
        idempotencyKey: key === undefined ? undefined : `${caller(res).userId}:${key}`,
        now: ctx.clock(),
        finish: async (tx, balance) => {
          answer = { points_balance: balance };
          await record?.(tx, 200, answer);
        },
      });
      if (outcome === "user_not_found") throw new HttpProblem("not_found", "There is no such user.");
      if (outcome === "insufficient_points") {
        throw new HttpProblem("insufficient_points", "This correction would take the balance below zero.");
      }
      if (outcome === "balance_too_large") {
        throw new HttpProblem(
          "validation_failed",
          `This grant would take the balance past ${Number.MAX_SAFE_INTEGER}, the largest balance there can be.`,
          { errors: [{ path: "delta", message: "would take the balance past the largest safe integer" }] },
        );
      }
      ctx.balanceChanged(userId, outcome.balance);
      return { status: 200, body: answer };
    });
  });

  app.get("/admin/sessions", admin, async (_req, res) => {
    const active = await sessions.active(ctx.db, ctx.clock());
    res.json({ sessions: active.map(toPlaybackSession) });
  });

  app.delete("/admin/sessions/:id", admin, async (req, res) => {
    const id = String(req.params.id);
    if (!SessionIdSchema.safeParse(id).success) {
      throw new HttpProblem("session_not_found", "There is no such playback session.");
    }
    await ctx.billing.revoke(id, ctx.clock());
    res.status(204).end();
  });
}

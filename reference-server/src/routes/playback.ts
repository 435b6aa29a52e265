import {
  type PlaybackRenewResponse,
  PlaybackSessionRequestSchema,
  PlaybackStartRequestSchema,
  type PlaybackStartResponse,
} from "@mpvstream/core";
import { byAccount, rateLimit } from "@mpvstream/ratelimit/express";
import type { Express } from "express";
import { authenticate, caller } from "../http/auth.js";
import type { AppContext, Caller } from "../http/context.js";
import { idempotent } from "../http/idempotency.js";
import { parseBody } from "../http/validate.js";

/** Registers `/playback/start`, `/playback/renew` and `/playback/stop`. */
export function playbackRoutes(app: Express, ctx: AppContext): void {
  const user = authenticate(ctx);

  app.post(
    "/playback/start",
    user,
    rateLimit({
      limiter: ctx.limiters.playbackStart,
      key: byAccount((req) => (req.res?.locals.caller as Caller | undefined)?.userId),
    }),
    async (req, res) => {
      const { userId } = caller(res);
      const body = parseBody(PlaybackStartRequestSchema, req);
      await idempotent(ctx, req, res, userId, async (record, key) => {
        let answer: PlaybackStartResponse | undefined;
        const result = await ctx.billing.start({
          userId,
          streamId: body.stream_id,
          now: ctx.clock(),
          idempotencyKey: key,
          finish: async (tx, r) => {
            answer = {
              session_id: r.session.id,
              stream_id: r.session.streamId,
              playback_url: `${ctx.publicUrl()}/play/${r.session.id}/index.m3u8`,
              expires_at: new Date(r.session.expiresAt).toISOString(),
              renew_after_s: r.renewAfterS,
              points_charged: r.charged,
              points_balance: r.balance,
            };
            await record?.(tx, 201, answer);
          },
        });
        ctx.metrics.pointsSpent.inc(result.charged);
        if (result.charged > 0) ctx.balanceChanged(userId, result.balance);
        return { status: 201, body: answer };
      });
    },
  );

  app.post("/playback/renew", user, async (req, res) => {
    const { userId } = caller(res);
    const body = parseBody(PlaybackSessionRequestSchema, req);
    await idempotent(ctx, req, res, userId, async (record, key) => {
      let answer: PlaybackRenewResponse | undefined;
      const result = await ctx.billing.renew({
        userId,
        sessionId: body.session_id,
        now: ctx.clock(),
        idempotencyKey: key,
        finish: async (tx, r) => {
          answer = {
            session_id: r.session.id,
            expires_at: new Date(r.session.expiresAt).toISOString(),
            renew_after_s: r.renewAfterS,
            points_charged: r.charged,
            points_balance: r.balance,
          };
          await record?.(tx, 200, answer);
        },
      });
      ctx.metrics.pointsSpent.inc(result.charged);
      if (result.charged > 0) ctx.balanceChanged(userId, result.balance);
      return { status: 200, body: answer };
    });
  });

  app.post("/playback/stop", user, async (req, res) => {
    const { userId }: Caller = caller(res);
    const body = parseBody(PlaybackSessionRequestSchema, req);
    await ctx.billing.stop({ userId, sessionId: body.session_id, now: ctx.clock() });
    res.status(204).end();
  });
}

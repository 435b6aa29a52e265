import { timingSafeEqual } from "node:crypto";
import type { Express } from "express";
import { authenticate } from "../http/auth.js";
import type { AppContext } from "../http/context.js";
import { HttpProblem } from "../http/problem.js";
import { sessionFigures } from "../store/sessions.js";
import type { OpenApiDocument } from "./openapi.js";

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Registers `/healthz`, `/readyz`, `/monitoring/*`, `/metrics` and `/openapi.json`. */
export function monitoringRoutes(app: Express, ctx: AppContext, openapi: OpenApiDocument): void {
  const admin = authenticate(ctx, "admin");
  const healthy = JSON.stringify({ status: "ok" });

  app.get("/healthz", (_req, res) => {
    res.type("application/json").send(healthy);
  });

  app.get("/readyz", async (_req, res) => {
    try {
      await Promise.race([
        ctx.db.query("SELECT 1"),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error("store did not answer in 2 s")), 2000).unref(),
        ),
      ]);
    } catch (error) {
      ctx.errors.record("store_unavailable", (error as Error).message);
      throw new HttpProblem("service_unavailable", "The database does not answer.", {
        headers: { "Retry-After": "2" },
      });
    }
    res.json({ status: "ready" });
  });

  app.get("/monitoring/metrics", admin, async (_req, res) => {
    const figures = await sessionFigures(ctx.db, ctx.clock());
    res.json({
      active_sessions: figures.activeSessions,
      points_spent_per_minute: figures.pointsSpentLastMinute,
      login_failures: ctx.metrics.loginFailureCount(),
      playback_errors: ctx.metrics.playbackErrorCount(),
      streams_live: figures.streamsLive,
      viewers_by_stream: figures.viewersByStream,
    });
  });

  app.get("/monitoring/errors", admin, (_req, res) => {
    res.json({ errors: ctx.errors.list() });
  });

  app.get("/metrics", async (req, res) => {
    const token = ctx.config.metricsToken;
    if (token !== undefined) {
      const presented = /^Bearer +(\S+)$/i.exec(req.get("authorization") ?? "")?.[1] ?? "";
      if (!sameSecret(presented, token)) {
        throw new HttpProblem("unauthorized", "Send Authorization: Bearer <METRICS_TOKEN>.", {
          headers: { "WWW-Authenticate": 'Bearer realm="metrics"' },
        });
      }
    }
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  const document = JSON.stringify(openapi);
  app.get("/openapi.json", (_req, res) => {
    res.set("Cache-Control", "public, max-age=300").type("application/json").send(document);
  });
}

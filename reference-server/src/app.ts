import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { Role } from "@mpvstream/core";
import { createAccessTokens } from "@mpvstream/token";
import express, { type Express } from "express";
import { Redis } from "ioredis";
import { type Logger, pino } from "pino";
import { loadOrCreateKeys } from "./auth/keys.js";
import { OWASP_SCRYPT, type PasswordCost } from "./auth/passwords.js";
import type { ServerConfig } from "./config.js";
import { type Database, openDatabase } from "./db/database.js";
import { migrate } from "./db/migrations.js";
import type { AppContext } from "./http/context.js";
import { errorHandler, notFound, requestLog, securityHeaders } from "./http/middleware.js";
import { createLimiters, DEFAULT_LIMITS, type LimitSettings } from "./limits/limits.js";
import { createGate } from "./media/gate.js";
import { type PipelineDefaults, PipelineStreamController } from "./media/pipelines.js";
import { SegmentCache } from "./media/segment-cache.js";
import { ErrorLog } from "./monitoring/errors.js";
import { createMetrics } from "./monitoring/metrics.js";
import { Billing } from "./playback/billing.js";
import { adminRoutes } from "./routes/admin.js";
import { authRoutes } from "./routes/auth.js";
import { dashboardRoutes } from "./routes/dashboard.js";
import { monitoringRoutes } from "./routes/monitoring.js";
import { buildOpenApi } from "./routes/openapi.js";
import { playbackRoutes } from "./routes/playback.js";
import { streamRoutes } from "./routes/streams.js";
import { seed } from "./seed.js";
import { SessionCache } from "./sessions/cache.js";
import { localFanout, redisFanout, type SessionFanout } from "./sessions/fanout.js";
import { IdempotencyStore } from "./store/idempotency.js";
import { refreshTokens } from "./store/refresh-tokens.js";
import { sessions } from "./store/sessions.js";
import { StreamStore } from "./store/streams.js";
import { UserCache } from "./store/user-cache.js";
import { UserStore } from "./store/users.js";
import { RecordingStreamController, type StreamController } from "./streams/controller.js";

/** What a custom stream controller is built from (issue 8 plugs the pipeline in here). */
export interface StreamControllerDeps {
  /** Counts a playback error (pipeline failures count as the viewers' errors they cause). */
  recordPlaybackError: (code: string) => void;
  streams: StreamStore;
  /** `DATA_DIR/hls`, where pipelines write each stream's files. */
  hlsRoot: string;
  /** The gate's file cache; pipelines watch their stream's directory in it. */
  segmentCache: SegmentCache;
  sessions: SessionCache;
  errors: ErrorLog;
  clock: () => number;
  config: ServerConfig;
  logger: Logger;
}

/** Options of {@link createApp} beyond the configuration: mostly for tests and embedding. */
export interface AppOptions {
  /** Milliseconds clock for billing, tokens and limits (default `Date.now`). */
  clock?: () => number;
  /** Logger (default pino JSON on stdout at `config.logLevel`). */
  logger?: Logger;
  /** Rate limits, replacing the defaults per policy. */
  limits?: Partial<LimitSettings>;
  /** scrypt cost (default OWASP: N=2^17, r=8, p=1). */
  passwordCost?: PasswordCost;
  /** A database to use instead of opening one from the configuration (it is not closed by `close()`). */
  database?: Database;
  /**
   * Builds the stream controller. Default: {@link pipelineController}, one supervised ffmpeg per
   * live stream. {@link recordingController} only records state changes (tests that need no video).
   */
  streamController?: (deps: StreamControllerDeps) => StreamController;
  /** Prefix of Redis keys and channels (default `mpvstream:`). */
  redisPrefix?: string;
  /** Skip the admin and demo seeding. */
  skipSeed?: boolean;
}

/** A built application: the Express app and the parts other code (the gate, tests) needs. */
export interface AppHandle {
  /** The Express application. */
  app: Express;
  /** Everything the routes use. */
  context: AppContext;
  /** The database. */
  db: Database;
  /** The session cache the `/play` gate reads. */
  sessions: SessionCache;
  /** The stream controller. */
  controller: StreamController;
  /**
   * The `/play/{session_id}/{file}` gate as a plain `node:http` listener: it answers and returns
   * `true` for paths under `/play/`, and returns `false` for everything else (hand those to `app`).
   */
  gate: (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => boolean;
  /** The gate's bounded file cache. */
  segmentCache: SegmentCache;
  /** Changes the base of playback URLs (used when the port is only known after listening). */
  setPublicUrl(url: string): void;
  /** Closes the stores, Redis and timers (not an HTTP server: see `startServer`). */
  close(): Promise<void>;
}

const VERSION = (() => {
  try {
    const file = path.join(import.meta.dirname, "..", "package.json");
    return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
})();

/**
 * The production stream controller: one supervised `@mpvstream/hls` pipeline per live stream,
 * streams left live brought back up at start.
 *
 * @example
 * ```ts
 * await startServer(config, { streamController: pipelineController({ segmentSeconds: 1 }) });
 * ```
 */
export function pipelineController(
  defaults: PipelineDefaults = {},
): (deps: StreamControllerDeps) => StreamController {
  return (deps) =>
    new PipelineStreamController({
      streams: deps.streams,
      errors: deps.errors,
      hlsRoot: deps.hlsRoot,
      cache: deps.segmentCache,
      clock: deps.clock,
      logger: deps.logger,
      pipeline: defaults,
      onFailure: () => deps.recordPlaybackError("pipeline"),
    });
}

/**
 * A stream controller that only checks and records state changes, with no pipeline: for tests of
 * the control plane that need no video. The gate never serves its streams.
 */
export function recordingController(): (deps: StreamControllerDeps) => StreamController {
  return (deps) => new RecordingStreamController(deps.streams, deps.clock);
}

/** Opens the database named by the configuration (PGlite under `DATA_DIR/pglite`, or PostgreSQL). */
export function openConfiguredDatabase(config: ServerConfig): Promise<Database> {
  return config.databaseUrl !== undefined
    ? openDatabase({ kind: "postgres", url: config.databaseUrl })
    : openDatabase({ kind: "pglite", dataDir: path.join(config.dataDir, "pglite") });
}

/**
 * Builds the server: opens and migrates the store, loads (or creates) the signing keys, connects
 * Redis when configured, seeds the admin and demo accounts, and mounts every route.
 *
 * @example
 * ```ts
 * const handle = await createApp(defineConfig({ dataDir: "./data" }));
 * handle.app.listen(8080);
 * ```
 */
export async function createApp(config: ServerConfig, options: AppOptions = {}): Promise<AppHandle> {
  const clock = options.clock ?? Date.now;
  const logger =
    options.logger ??
    pino({
      level: config.logLevel,
      base: { service: "mpvstream-server" },
      redact: {
        paths: [
          "password",
          "*.password",
          "access_token",
          "refresh_token",
          "authorization",
          "*.authorization",
        ],
        censor: "[redacted]",
      },
    });
  const ownDb = options.database === undefined;
  const db = options.database ?? (await openConfiguredDatabase(config));
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    await migrate(db);
    const errors = new ErrorLog(clock);
    const keys = await loadOrCreateKeys(config.dataDir);
    const tokens = createAccessTokens<Role>({
      keys,
      issuer: config.publicUrl,
      audience: "mpvstream",
      ttlSeconds: config.accessTokenTtlS,
      clock,
      roles: ["user", "admin"],
    });
    const cache = new SessionCache({ graceMs: config.sessionGraceS * 1000, clock });
    const prefix = options.redisPrefix ?? "mpvstream:";
    let redis: Redis | undefined;
    let fanout: SessionFanout = localFanout;
    const onRedisError = (error: unknown) => {
      errors.record("redis", error instanceof Error ? error.message : String(error));
    };
    const resync = async () => {
      for (const record of await sessions.recent(db, clock() - config.sessionGraceS * 1000))
        cache.apply(record);
    };
    const users = new UserStore(db);
    const userCache = new UserCache(users, { ttlMs: 2000, clock });
    if (config.redisUrl !== undefined) {
      const common = { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true };
      redis = new Redis(config.redisUrl, { ...common, enableOfflineQueue: false });
      const subscriber = new Redis(config.redisUrl, { ...common, maxRetriesPerRequest: null });
      redis.on("error", onRedisError);
      subscriber.on("error", onRedisError);
      cleanups.push(() => redis?.disconnect());
      cleanups.push(() => subscriber.disconnect());
      // Redis being away at start must not keep the server down: limits fall back locally and the
      // subscription is sent once the connection is up.
      redis.connect().catch(onRedisError);
      subscriber.connect().catch(onRedisError);
      fanout = await redisFanout({
        publisher: redis,
        subscriber,
        cache,
        channel: `${prefix}sessions`,
        resync,
        onUser: (id) => userCache.invalidate(id),
        onError: onRedisError,
      });
    }
    await resync();
    const streams = new StreamStore(db);
    const billing = new Billing(db, {
      periodS: config.sessionPeriodS,
      graceS: config.sessionGraceS,
      maxSessionsPerUser: config.maxSessionsPerUser,
      onChange: (record) => {
        cache.apply(record);
        fanout.publish(record);
      },
    });
    const hlsRoot = path.join(config.dataDir, "hls");
    const segmentCache = new SegmentCache();
    cleanups.push(() => segmentCache.close());
    const metrics = createMetrics(async () => (await sessions.active(db, clock())).length);
    const controller = (options.streamController ?? pipelineController())({
      streams,
      hlsRoot,
      segmentCache,
      recordPlaybackError: (code) => metrics.recordPlaybackError(code),
      sessions: cache,
      errors,
      clock,
      config,
      logger,
    });
    // Registered at once, so a failure further on (seeding, resume) still stops every pipeline.
    cleanups.push(() => fanout.close());
    cleanups.push(() => controller.close());
    const limiters = createLimiters(
      { ...DEFAULT_LIMITS, ...options.limits },
      { redis, prefix: `${prefix}rl:`, clock, onStoreError: onRedisError },
    );
    let publicUrl = config.publicUrl;
    const context: AppContext = {
      config,
      clock,
      db,
      users,
      userCache,
      balanceChanged(userId) {
        // Dropped rather than set: two changes may finish out of order; the next read is exact.
        userCache.invalidate(userId);
        fanout.publishUser(userId);
      },
      streams,
      idempotency: new IdempotencyStore(db),
      billing,
      sessions: cache,
      controller,
      tokens,
      limiters,
      errors,
      metrics,
      logger,
      passwordCost: options.passwordCost ?? OWASP_SCRYPT,
      redis,
      publicUrl: () => publicUrl,
    };
    if (controller instanceof PipelineStreamController) await controller.resume();
    const gate = createGate({
      hlsRoot,
      cache: segmentCache,
      lookupSession: (id) => cache.get(id),
      isStreamLive: (id) => controller instanceof PipelineStreamController && controller.isLive(id),
      graceMs: config.sessionGraceS * 1000,
      clock,
      onRefusal: (reason, _sessionId, streamId) => {
        metrics.recordPlaybackError(reason);
        if (reason !== "not_found") errors.record(`gate_${reason}`, `playback refused: ${reason}`, streamId);
      },
    });
    if (!options.skipSeed) {
      await seed({ config, users, streams, controller, passwordCost: context.passwordCost, clock, logger });
    }

    const app = express();
    app.disable("x-powered-by");
    app.set("etag", false);
    app.set("trust proxy", config.trustProxy);
    app.use(requestLog(context));
    app.use(securityHeaders(context.publicUrl));
    app.use(express.json({ limit: "16kb", strict: true, type: ["application/json", "application/*+json"] }));
    authRoutes(app, context);
    streamRoutes(app, context);
    playbackRoutes(app, context);
    adminRoutes(app, context);
    monitoringRoutes(app, context, buildOpenApi(VERSION, config.publicUrl));
    dashboardRoutes(app);
    app.use(notFound);
    app.use(errorHandler(context));

    const maintenance = setInterval(() => {
      const now = clock();
      cache.prune(60_000, now);
      context.idempotency.sweep(now).catch(() => {});
      refreshTokens.sweep(db, now).catch(() => {});
    }, 60_000);
    maintenance.unref();
    cleanups.push(() => clearInterval(maintenance));

    let closed: Promise<void> | undefined;
    return {
      app,
      context,
      db,
      sessions: cache,
      controller,
      gate,
      segmentCache,
      setPublicUrl(url) {
        publicUrl = url.replace(/\/+$/, "");
      },
      close() {
        closed ??= (async () => {
          for (const cleanup of cleanups.reverse()) await cleanup();
          if (ownDb) await db.close();
        })();
        return closed;
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
    if (ownDb) await db.close().catch(() => {});
    throw error;
  }
}

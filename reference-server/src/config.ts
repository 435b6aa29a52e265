import * as path from "node:path";
import { z } from "zod";

/** The reference server's configuration, read from the environment by {@link loadConfig}. */
export interface ServerConfig {
  /** TCP port to listen on (0 picks a free one). */
  port: number;
  /** Address to listen on. */
  host: string;
  /** The server's public base URL, without a trailing slash; playback URLs start with it. */
  publicUrl: string;
  /** Directory for the embedded database and the signing keys. */
  dataDir: string;
  /** PostgreSQL connection string; unset means embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** Redis URL; unset keeps limiter state and the session fan-out in memory. */
  redisUrl: string | undefined;
  /** Admin created or updated at start, when both are set. */
  admin: { email: string; password: string } | undefined;
  /** Demo mode: a live `demo` stream and the user `demo@local` / `demo` with 1000 points. */
  demo: boolean;
  /** Bearer token required by `GET /metrics`; open when unset. */
  metricsToken: string | undefined;
  /** Length of a paid playback period in seconds. */
  sessionPeriodS: number;
  /** Seconds the gate honours a session after `expires_at`. */
  sessionGraceS: number;
  /** Most active playback sessions one user may hold. */
  maxSessionsPerUser: number;
  /** Lifetime of access tokens in seconds. */
  accessTokenTtlS: number;
  /** Lifetime of refresh tokens in seconds. */
  refreshTokenTtlS: number;
  /** Express `trust proxy` setting (`false` unless `TRUST_PROXY` is set). */
  trustProxy: boolean | string;
  /** pino log level. */
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** `NODE_ENV === "production"`. */
  production: boolean;
}

const int = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^[0-9]{1,9}$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .int()
        .min(min, `must be a whole number from ${min} to ${max}`)
        .max(max, `must be a whole number from ${min} to ${max}`),
    )
    .optional()
    .transform((n) => n ?? fallback);

const url = (schemes: readonly string[]) =>
  z
    .string()
    .refine((u) => URL.canParse(u) && schemes.includes(new URL(u).protocol), {
      message: `must be a URL starting with ${schemes.map((s) => `${s}//`).join(" or ")}`,
    })
    .optional();

const flag = z
  .enum(["0", "1", "true", "false", ""], { message: 'must be "1" or "0"' })
  .optional()
  .transform((v) => v === "1" || v === "true");

const EnvSchema = z.object({
  PORT: int(0, 65_535, 8080),
  HOST: z.string().min(1, "must not be empty").optional(),
  PUBLIC_URL: url(["http:", "https:"]),
  DATA_DIR: z.string().min(1, "must not be empty").optional(),
  DATABASE_URL: url(["postgres:", "postgresql:"]),
  REDIS_URL: url(["redis:", "rediss:"]),
  MPVSTREAM_ADMIN_EMAIL: z
    .string()
    .max(254)
    .regex(/^[^\s@]+@[^\s@]+$/, "must be an email address such as admin@example.com")
    .optional(),
  MPVSTREAM_ADMIN_PASSWORD: z.string().min(8, "must be at least 8 characters").max(1024).optional(),
  MPVSTREAM_DEMO: flag,
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  SESSION_PERIOD_S: int(5, 3600, 60),
  SESSION_GRACE_S: int(0, 300, 10),
  MAX_SESSIONS_PER_USER: int(1, 1000, 2),
  ACCESS_TOKEN_TTL_S: int(30, 86_400, 900),
  REFRESH_TOKEN_TTL_S: int(300, 31_536_000, 30 * 86_400),
  TRUST_PROXY: z.string().optional(),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .optional(),
  NODE_ENV: z.string().optional(),
});

/** What {@link loadConfig} returns: the configuration, or one line per bad variable. */
export type ConfigResult = { ok: true; config: ServerConfig } | { ok: false; errors: string[] };

/**
 * Reads and validates the configuration from environment variables (empty values count as unset).
 *
 * @example
 * ```ts
 * const result = loadConfig(process.env);
 * if (!result.ok) for (const line of result.errors) console.error(line);
 * ```
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const present: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") present[key] = value;
  }
  const parsed = EnvSchema.safeParse(present);
  const errors: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? "environment");
      const got = present[name];
      const shown =
        got === undefined || /PASSWORD|TOKEN|DATABASE_URL|REDIS_URL/.test(name) ? "" : ` (got "${got}")`;
      errors.push(`config: ${name} ${issue.message}${shown}`);
    }
  }
  if ((present.MPVSTREAM_ADMIN_EMAIL === undefined) !== (present.MPVSTREAM_ADMIN_PASSWORD === undefined)) {
    errors.push("config: MPVSTREAM_ADMIN_EMAIL and MPVSTREAM_ADMIN_PASSWORD must be set together");
  }
  const production = present.NODE_ENV === "production";
  if (production && (present.MPVSTREAM_DEMO === "1" || present.MPVSTREAM_DEMO === "true")) {
    errors.push(
      "config: MPVSTREAM_DEMO must not be set when NODE_ENV=production (demo users have known passwords)",
    );
  }
  if (!parsed.success || errors.length > 0) return { ok: false, errors };
  const e = parsed.data;
  const host = e.HOST ?? "127.0.0.1";
  const shownHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  const trust = e.TRUST_PROXY;
  return {
    ok: true,
    config: {
      port: e.PORT,
      host,
      publicUrl: (e.PUBLIC_URL ?? `http://${shownHost}:${e.PORT}`).replace(/\/+$/, ""),
      dataDir: path.resolve(e.DATA_DIR ?? "./data"),
      databaseUrl: e.DATABASE_URL,
      redisUrl: e.REDIS_URL,
      admin:
        e.MPVSTREAM_ADMIN_EMAIL !== undefined && e.MPVSTREAM_ADMIN_PASSWORD !== undefined
          ? { email: e.MPVSTREAM_ADMIN_EMAIL, password: e.MPVSTREAM_ADMIN_PASSWORD }
          : undefined,
      demo: e.MPVSTREAM_DEMO,
      metricsToken: e.METRICS_TOKEN,
      sessionPeriodS: e.SESSION_PERIOD_S,
      sessionGraceS: e.SESSION_GRACE_S,
      maxSessionsPerUser: e.MAX_SESSIONS_PER_USER,
      accessTokenTtlS: e.ACCESS_TOKEN_TTL_S,
      refreshTokenTtlS: e.REFRESH_TOKEN_TTL_S,
      trustProxy: trust === undefined ? false : trust === "true" ? true : trust === "false" ? false : trust,
      logLevel: e.LOG_LEVEL ?? "info",
      production,
    },
  };
}

/**
 * A configuration for tests and embedding: the defaults, with the given fields replaced.
 *
 * @example
 * ```ts
 * const config = defineConfig({ port: 0, dataDir: await mkdtemp("/tmp/mpvstream-") });
 * ```
 */
export function defineConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const result = loadConfig({});
  if (!result.ok) throw new Error(result.errors.join("\n"));
  const config = { ...result.config, ...overrides };
  if (overrides.publicUrl === undefined && overrides.port !== undefined) {
    config.publicUrl = `http://${config.host}:${config.port}`;
  }
  return config;
}

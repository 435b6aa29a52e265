#!/usr/bin/env node
import * as path from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { openConfiguredDatabase } from "./app.js";
import { rotateKeys } from "./auth/keys.js";
import { hashPassword } from "./auth/passwords.js";
import { loadConfig, type ServerConfig } from "./config.js";
import { appliedVersions, migrate } from "./db/migrations.js";
import { nginxEdgeConfig } from "./media/edge.js";
import { PipelineStreamController } from "./media/pipelines.js";
import { DEMO_USER } from "./seed.js";
import { type ServerHandle, startServer } from "./server.js";
import { UserStore } from "./store/users.js";

const HELP = `mpvstream-server: the mpvstream platform server

Usage:
  mpvstream-server start                   run the server (configuration from the environment)
  mpvstream-server migrate                 apply pending database migrations and exit
  mpvstream-server create-admin <email>    create an admin, or reset an admin's password and role;
                                           the password is read from MPVSTREAM_ADMIN_PASSWORD or stdin
  mpvstream-server rotate-keys             add a new token signing key (the previous one keeps
                                           verifying); restart the server to sign with it
  mpvstream-server nginx-config [--listen ADDR] [--cache-dir DIR] [--auth-cache S]
                                           print an NGINX edge for this server (include it in
                                           nginx.conf's http {}): NGINX serves /play/ from
                                           DATA_DIR/hls, asking the server once per session
                                           every S seconds (default 2); --listen 8088,
                                           --cache-dir /var/cache/nginx/mpvstream by default
  mpvstream-server --help                  this text

Environment: PORT (8080), HOST (127.0.0.1), PUBLIC_URL, DATA_DIR (./data), DATABASE_URL
(unset: embedded PGlite in DATA_DIR), REDIS_URL (unset: in memory), MPVSTREAM_ADMIN_EMAIL,
MPVSTREAM_ADMIN_PASSWORD, MPVSTREAM_DEMO, METRICS_TOKEN, SESSION_PERIOD_S (60),
SESSION_GRACE_S (10), MAX_SESSIONS_PER_USER (2), ACCESS_TOKEN_TTL_S (900),
REFRESH_TOKEN_TTL_S (2592000), TRUST_PROXY, LOG_LEVEL (info). See docs/server.md.
`;

function config(): ServerConfig {
  const result = loadConfig(process.env);
  if (!result.ok) {
    for (const line of result.errors) process.stderr.write(`${line}\n`);
    process.exit(2);
  }
  return result.config;
}

async function readPassword(): Promise<string> {
  const fromEnv = process.env.MPVSTREAM_ADMIN_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (process.stdin.isTTY) process.stderr.write("Password: ");
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return "";
}

async function start(): Promise<void> {
  const cfg = config();
  const logger = pino({ level: cfg.logLevel, base: { service: "mpvstream-server" } });
  const server = await startServer(cfg, { logger });
  logger.info(
    { url: server.url, publicUrl: cfg.publicUrl, store: server.db.kind, redis: cfg.redisUrl !== undefined },
    "listening",
  );
  if (cfg.demo) printDemo(server, cfg).catch(() => {});
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests");
    server.close(10_000).then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

/**
 * Tells the person who ran `npm start` where the server is and how to watch the demo, once the
 * demo stream is live (or after 30 s, saying it is not live yet). On stderr: stdout is JSON logs.
 */
async function printDemo(server: ServerHandle, cfg: ServerConfig): Promise<void> {
  const controller = server.controller;
  const live = () => controller instanceof PipelineStreamController && controller.isLive("demo");
  const deadline = Date.now() + 30_000;
  while (!live() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  const url = cfg.publicUrl;
  const state = live()
    ? "is live"
    : "is not live yet (see GET /streams/demo and /monitoring/errors; ffmpeg may be missing)";
  const admin = cfg.admin
    ? `log in as ${cfg.admin.email}`
    : "to log in, restart with MPVSTREAM_ADMIN_EMAIL and MPVSTREAM_ADMIN_PASSWORD set";
  process.stderr.write(`
  mpvstream is running at ${url}  (data in ${cfg.dataDir})
  Admin dashboard: ${url}/admin  (${admin})

  The demo stream "demo" ${state}: a test pattern with a clock and a tone, 1 point per minute.
  Demo login: ${DEMO_USER.email} / ${DEMO_USER.password} (${DEMO_USER.points} points).

  Watch it with the player, from this directory:

    printf demo | npx mpvstream login --server ${url} --email ${DEMO_USER.email} --password-stdin && npx mpvstream play demo

  Stop the server with Ctrl-C.

`);
}

/** A start-up failure as a sentence that says what to do. */
function describeFailure(error: unknown): string {
  const { code, address, port } = (error ?? {}) as { code?: string; address?: string; port?: number };
  if (code === "EADDRINUSE") {
    return `${address}:${port} is already in use by another program: stop it, or choose another port with PORT=...`;
  }
  if (code === "EACCES" && port !== undefined) {
    return `not allowed to listen on ${address}:${port}: choose a port above 1023 with PORT=..., or run with the needed privilege`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  switch (command) {
    case "start":
      await start();
      return -1;
    case "migrate": {
      const db = await openConfiguredDatabase(config());
      try {
        const applied = await migrate(db);
        const all = await appliedVersions(db);
        process.stdout.write(
          `${applied.length === 0 ? "schema up to date" : `applied migrations ${applied.join(", ")}`} (version ${all.at(-1) ?? 0}, ${db.kind})\n`,
        );
      } finally {
        await db.close();
      }
      return 0;
    }
    case "create-admin": {
      const email = rest[0];
      if (email === undefined || !/^[^\s@]+@[^\s@]+$/.test(email)) {
        process.stderr.write(
          "create-admin: give the admin's email: mpvstream-server create-admin admin@example.com\n",
        );
        return 2;
      }
      const password = await readPassword();
      if (password.length < 8) {
        process.stderr.write("create-admin: the password must be at least 8 characters\n");
        return 2;
      }
      const db = await openConfiguredDatabase(config());
      try {
        await migrate(db);
        const { user, created } = await new UserStore(db).upsert({
          email,
          passwordHash: await hashPassword(password),
          role: "admin",
          now: Date.now(),
        });
        process.stdout.write(`${created ? "created" : "updated"} admin ${user.email} (${user.id})\n`);
      } finally {
        await db.close();
      }
      return 0;
    }
    case "nginx-config": {
      let values: {
        listen?: string | undefined;
        "cache-dir"?: string | undefined;
        "auth-cache"?: string | undefined;
      };
      try {
        ({ values } = parseArgs({
          args: rest,
          options: {
            listen: { type: "string" },
            "cache-dir": { type: "string" },
            "auth-cache": { type: "string" },
          },
          strict: true,
        }));
      } catch (error) {
        process.stderr.write(`nginx-config: ${(error as Error).message}\n\n${HELP}`);
        return 2;
      }
      const authCacheS = Number(values["auth-cache"] ?? 2);
      if (!Number.isInteger(authCacheS) || authCacheS < 1 || authCacheS > 60) {
        process.stderr.write("nginx-config: --auth-cache takes whole seconds from 1 to 60\n");
        return 2;
      }
      const cfg = config();
      const host = cfg.host === "0.0.0.0" || cfg.host === "::" ? "127.0.0.1" : cfg.host;
      process.stdout.write(
        nginxEdgeConfig({
          listen: values.listen ?? "8088",
          origin: `${host.includes(":") ? `[${host}]` : host}:${cfg.port}`,
          hlsRoot: path.join(cfg.dataDir, "hls"),
          cacheDir: path.resolve(values["cache-dir"] ?? "/var/cache/nginx/mpvstream"),
          authCacheS,
        }),
      );
      return 0;
    }
    case "rotate-keys": {
      const { active, retired } = await rotateKeys(config().dataDir);
      process.stdout.write(
        `new signing key ${active}${retired.length > 0 ? `; retired ${retired.join(", ")}` : ""}; restart the server to use it\n`,
      );
      return 0;
    }
    default:
      process.stderr.write(`mpvstream-server: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`mpvstream-server: ${describeFailure(error)}\n`);
    process.exit(1);
  },
);

import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { pino } from "pino";
import { type AppOptions, recordingController } from "../src/app.js";
import { defineConfig, type ServerConfig } from "../src/config.js";
import { type Database, openDatabase } from "../src/db/database.js";
import { type ServerHandle, startServer } from "../src/server.js";

export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Both stores, for `describe.each`. */
export const BACKENDS = ["pglite", "postgres"] as const;
export type Backend = (typeof BACKENDS)[number];

/** A fresh database: in-memory PGlite, or a unique schema on PostgreSQL dropped by `drop()`. */
export async function freshDatabase(
  kind: Backend,
  max?: number,
): Promise<{ db: Database; drop(): Promise<void> }> {
  if (kind === "pglite") {
    const db = await openDatabase({ kind: "pglite", dataDir: undefined });
    return { db, drop: () => db.close() };
  }
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const db = await openDatabase({ kind: "postgres", url: DATABASE_URL, schema, ...(max ? { max } : {}) });
  return {
    db,
    async drop() {
      await db.close();
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}

export const ADMIN = { email: "admin@example.test", password: "admin-password-1" };

/** A cheap scrypt cost for tests that create many users (the default OWASP cost is tested on its own). */
export const TEST_COST = { log2N: 10, r: 8, p: 1 };

/** Limits high enough that only the rate-limit tests meet them. */
export const GENEROUS = {
  loginPerAddress: { limit: 100_000, periodS: 1, burst: 100_000 },
  loginPerAccount: { limit: 100_000, periodS: 1, burst: 100_000 },
  playbackStartPerAccount: { limit: 100_000, periodS: 1, burst: 100_000 },
};

/** A test server on port 0 with an admin, a fresh database and a temporary DATA_DIR. */
export interface TestServer extends ServerHandle {
  stop(): Promise<void>;
}

export async function testServer(
  kind: Backend,
  config: Partial<ServerConfig> = {},
  options: AppOptions = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "mpvstream-server-"));
  const fresh = options.database ? undefined : await freshDatabase(kind);
  const server = await startServer(
    defineConfig({ port: 0, dataDir, logLevel: "silent", admin: ADMIN, ...config }),
    {
      logger: pino({ level: "silent" }),
      passwordCost: TEST_COST,
      limits: GENEROUS,
      // Control-plane tests need no video: streams only record their state (media tests override this).
      streamController: recordingController(),
      ...(fresh ? { database: fresh.db } : {}),
      ...options,
    },
  );
  return Object.assign(server, {
    async stop() {
      await server.close(1000);
      await fresh?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}

/** A tiny JSON client over fetch. */
export function http(base: string) {
  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && headers["content-type"] === undefined)
      headers["content-type"] = "application/json";
    const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
    let json: any;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, headers: res.headers, body: json };
  };
  return {
    call,
    get: (path: string, token?: string) => call("GET", path, token ? { token } : {}),
    post: (path: string, body: unknown, token?: string, headers?: Record<string, string>) =>
      call("POST", path, { body, ...(token ? { token } : {}), ...(headers ? { headers } : {}) }),
    async login(email: string, password: string) {
      const res = await call("POST", "/auth/login", { body: { email, password } });
      if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { access_token: string; refresh_token: string; user: { id: string } };
    },
  };
}

/** A TCP proxy to PostgreSQL or Redis that a test can cut and restore, like a server restart. */
export function proxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      const listener = createServer((client) => {
        const upstream = connect(
          Number(target.port || (target.protocol === "redis:" ? 6379 : 5432)),
          target.hostname,
        );
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      server = listener;
      listener.listen(port, "127.0.0.1", () => {
        port = (listener.address() as { port: number }).port;
        resolve();
      });
    });
  return {
    open,
    get port() {
      return port;
    },
    async cut() {
      await new Promise<void>((resolve) => {
        server?.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

// The client against the real reference server (reference-server/src), on port 0, on PGlite and on
// PostgreSQL. Access-token expiry is reached through the server's injected clock, not by waiting.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingController } from "../../../reference-server/src/app.js";
import { defineConfig } from "../../../reference-server/src/config.js";
import { type Database, openDatabase } from "../../../reference-server/src/db/database.js";
import { type ServerHandle, startServer } from "../../../reference-server/src/server.js";
import { createClient, isProblemError, type MpvstreamClient } from "../src/index.js";
import { rejection } from "./helpers.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ADMIN = { email: "admin@example.test", password: "admin-password-1" };
const ACCESS_TTL_S = 300;

async function postgresSchema(): Promise<{ db: Database; drop(): Promise<void> }> {
  const schema = `client_${randomBytes(6).toString("hex")}`;
  const run = async (sql: string): Promise<void> => {
    const c = new pg.Client({ connectionString: DATABASE_URL });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await run(`CREATE SCHEMA ${schema}`);
  const db = await openDatabase({ kind: "postgres", url: DATABASE_URL, schema });
  return {
    db,
    async drop() {
      await db.close();
      await run(`DROP SCHEMA ${schema} CASCADE`);
    },
  };
}

describe.each(["pglite", "postgres"] as const)("the client against the reference server on %s", (kind) => {
  let server: ServerHandle;
  let dataDir: string;
  let drop: (() => Promise<void>) | undefined;
  let offsetMs = 0;
  let admin: MpvstreamClient;
  const client = (): MpvstreamClient =>
    createClient({ baseUrl: server.url, retries: { limit: 2, delayMs: () => 20 } });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "mpvstream-client-"));
    const fresh = kind === "postgres" ? await postgresSchema() : undefined;
    drop = fresh?.drop;
    server = await startServer(
      defineConfig({ port: 0, dataDir, logLevel: "silent", admin: ADMIN, accessTokenTtlS: ACCESS_TTL_S }),
      {
        logger: pino({ level: "silent" }),
        passwordCost: { log2N: 10, r: 8, p: 1 },
        clock: () => Date.now() + offsetMs,
        streamController: recordingController(),
        ...(fresh === undefined ? {} : { database: fresh.db }),
      },
    );
    admin = client();
    await admin.login(ADMIN);
  }, 60_000);

  afterAll(async () => {
    await server?.close(1000);
    await drop?.();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("runs the admin and viewer flows through every method", async () => {
    expect(await admin.health()).toEqual({ status: "ok" });
    expect(await admin.ready()).toEqual({ status: "ready" });
    await admin.createStream({ id: "news", title: "News", points_per_minute: 5, source: { kind: "test" } });
    expect((await admin.updateStream("news", { title: "World news" })).title).toBe("World news");
    expect((await admin.setStreamState("news", { state: "live" })).state).toBe("live");
    expect((await admin.getStream("news")).state).toBe("live");
    await admin.restartStream("news");
    const user = await admin.createUser({ email: "v@example.test", password: "viewer-pass", role: "user" });
    expect((await admin.listUsers()).users.map((u) => u.email)).toContain("v@example.test");

    const grant = { delta: 30, reason: "welcome" };
    expect(await admin.changePoints(user.id, grant, { idempotencyKey: `grant-${kind}` })).toEqual({
      points_balance: 30,
    });
    expect(await admin.changePoints(user.id, grant, { idempotencyKey: `grant-${kind}` })).toEqual({
      points_balance: 30,
    });

    const viewer = client();
    await viewer.login({ email: "v@example.test", password: "viewer-pass" });
    expect((await viewer.me()).points_balance).toBe(30);
    expect((await viewer.listStreams()).streams.map((s) => s.id)).toContain("news");
    const started = await viewer.startPlayback({ stream_id: "news" });
    expect(started).toMatchObject({ stream_id: "news", points_charged: 5, points_balance: 25 });
    const renewed = await viewer.renewPlayback({ session_id: started.session_id });
    expect(renewed.session_id).toBe(started.session_id);
    expect((await admin.listSessions()).sessions.map((s) => s.session_id)).toContain(started.session_id);
    expect((await admin.metrics()).active_sessions).toBeGreaterThanOrEqual(1);
    expect(Array.isArray((await admin.errors()).errors)).toBe(true);
    const ledger = await viewer.ledger({ limit: 10 });
    expect(ledger.entries.at(-1)?.delta).toBe(30);
    await viewer.stopPlayback({ session_id: started.session_id });

    const second = await viewer.startPlayback({ stream_id: "news" });
    await admin.revokeSession(second.session_id);
    const ended = await rejection(() => viewer.renewPlayback({ session_id: second.session_id }));
    expect(isProblemError(ended) && [ended.code, ended.status]).toEqual(["session_ended", 410]);

    await admin.setStreamState("news", { state: "offline" });
    await admin.deleteStream("news");
    const gone = await rejection(() => viewer.getStream("news"));
    expect(isProblemError(gone) && [gone.code, gone.status]).toEqual(["stream_not_found", 404]);
    await viewer.logout();
  });

  it("maps the server's problems to codes", async () => {
    const viewer = client();
    const nope = await rejection(() => viewer.login({ email: "v@example.test", password: "wrong-pass" }));
    expect(isProblemError(nope) && nope.code).toBe("invalid_credentials");
    await viewer.login({ email: "v@example.test", password: "viewer-pass" });
    const forbidden = await rejection(() => viewer.listUsers());
    expect(isProblemError(forbidden) && [forbidden.code, forbidden.status]).toEqual(["forbidden", 403]);
    const invalid = await rejection(() => admin.updateStream("nope", {}));
    expect(isProblemError(invalid) && invalid.status).toBe(400);
  });

  it("refreshes an expired access token once for many concurrent calls (the server revokes on refresh reuse)", async () => {
    const seen: Array<{ path: string; status: number }> = [];
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      seen.push({
        path: new URL(input instanceof Request ? input.url : String(input)).pathname,
        status: response.status,
      });
      return response;
    };
    const viewer = createClient({ baseUrl: server.url, fetch: recording });
    await viewer.login({ email: "v@example.test", password: "viewer-pass" });
    const before = await viewer.tokenStore.get();
    offsetMs += (ACCESS_TTL_S + 120) * 1000;
    const results = await Promise.all([viewer.me(), viewer.listStreams(), viewer.ledger(), viewer.me()]);
    expect(results[0].email).toBe("v@example.test");
    const after = await viewer.tokenStore.get();
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    expect(seen.filter((r) => r.path === "/auth/refresh")).toEqual([{ path: "/auth/refresh", status: 200 }]);
    expect(seen.filter((r) => r.status === 401)).toHaveLength(4);
    // Had two refreshes used the same refresh token, the server would have revoked the family.
    expect((await viewer.me()).email).toBe("v@example.test");
    await viewer.logout();
    const out = await rejection(() => viewer.me());
    expect(isProblemError(out) && out.code).toBe("not_logged_in");
  });
});

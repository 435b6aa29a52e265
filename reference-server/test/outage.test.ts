import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.js";
import { ADMIN, DATABASE_URL, http, proxy, type TestServer, testServer } from "./helpers.js";

describe("database outage", () => {
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const link = proxy(new URL(DATABASE_URL));
  let server: TestServer;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    await link.open();
    const url = new URL(DATABASE_URL);
    url.host = `127.0.0.1:${link.port}`;
    const db = await openDatabase({ kind: "postgres", url: url.toString(), schema });
    server = await testServer("postgres", {}, { database: db });
  });
  afterAll(async () => {
    await server.stop();
    await server.db.close().catch(() => {});
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  it("answers 503 with Retry-After while PostgreSQL is unreachable, and recovers by itself", async () => {
    const api = http(server.url);
    const token = (await api.login(ADMIN.email, ADMIN.password)).access_token;
    expect((await api.get("/readyz")).status).toBe(200);
    await link.cut();
    const ready = await api.get("/readyz");
    expect([ready.status, ready.body.code]).toEqual([503, "service_unavailable"]);
    expect(ready.headers.get("retry-after")).not.toBeNull();
    const streams = await api.get("/streams", token);
    expect([streams.status, streams.body.code]).toEqual([503, "service_unavailable"]);
    expect(streams.headers.get("retry-after")).toBe("2");
    expect((await api.get("/healthz")).status).toBe(200);
    expect(server.context.errors.list().some((e) => e.kind === "store_unavailable")).toBe(true);
    await link.open();
    let status = 0;
    for (const until = Date.now() + 15_000; status !== 200 && Date.now() < until; ) {
      status = (await api.get("/streams", token)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    expect((await api.get("/readyz")).status).toBe(200);
  }, 60_000);
});

import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { ADMIN, freshDatabase, http, proxy, REDIS_URL, type TestServer, testServer } from "./helpers.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await sleep(50);
  }
}

describe("Redis outage and recovery", () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close(1000);
  });

  it("keeps login limited while Redis is cut off, and revocations made meanwhile reach every instance after", async () => {
    const link = proxy(new URL(REDIS_URL));
    await link.open();
    const redisUrl = `redis://127.0.0.1:${link.port}`;
    const prefix = `test:${randomBytes(4).toString("hex")}:`;
    const fresh = await freshDatabase("postgres");
    const limits = {
      loginPerAddress: { limit: 8, periodS: 60, burst: 8 },
      loginPerAccount: { limit: 100, periodS: 60, burst: 100 },
      playbackStartPerAccount: { limit: 100, periodS: 60, burst: 100 },
    };
    const a = await testServer(
      "postgres",
      { trustProxy: true, redisUrl },
      { limits, redisPrefix: prefix, database: fresh.db },
    );
    const b = await testServer(
      "postgres",
      { trustProxy: true, redisUrl, dataDir: a.context.config.dataDir },
      { limits, redisPrefix: prefix, database: fresh.db, skipSeed: true },
    );
    servers.push(b, a);
    await eventually(() => a.context.redis?.status === "ready" && b.context.redis?.status === "ready");
    const [apiA, apiB] = [http(a.url), http(b.url)];
    const admin = (await apiA.login(ADMIN.email, ADMIN.password)).access_token;
    await apiA.post(
      "/streams",
      { id: "o", title: "o", points_per_minute: 0, source: { kind: "test" } },
      admin,
    );
    await apiA.post("/streams/o/state", { state: "live" }, admin);
    const id = (await apiA.post("/playback/start", { stream_id: "o" }, admin)).body.session_id as string;
    await eventually(() => b.sessions.isActive(id));

    await link.cut();
    // Login stays limited (a quarter of the policy, locally) and answers without waiting on Redis.
    const wrong = () =>
      apiA.call("POST", "/auth/login", {
        body: { email: ADMIN.email, password: "wrong-password" },
        headers: { "x-forwarded-for": "10.9.9.9" },
      });
    expect((await wrong()).status).toBe(401);
    expect((await wrong()).status).toBe(401);
    expect((await wrong()).status).toBe(429);
    // A revocation on B while Redis is away reaches B's cache at once, but not A's yet.
    expect((await apiB.call("DELETE", `/admin/sessions/${id}`, { token: admin })).status).toBe(204);
    expect(b.sessions.isActive(id)).toBe(false);

    await link.open();
    // After the reconnect, A reloads recent sessions from the store and refuses the session too.
    await eventually(() => !a.sessions.isActive(id));
    expect(a.sessions.get(id)?.endReason).toBe("revoked");
    await eventually(() => a.context.redis?.status === "ready");
    expect(a.context.errors.list().some((e) => e.kind === "redis")).toBe(true);
    await b.close(1000);
    await a.close(1000);
    servers.length = 0;
    await fresh.drop();
    await link.cut();
  }, 60_000);
});

import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { ADMIN, freshDatabase, http, REDIS_URL, type TestServer, testServer } from "./helpers.js";

const tight = {
  loginPerAddress: { limit: 3, periodS: 60, burst: 3 },
  loginPerAccount: { limit: 100, periodS: 60, burst: 100 },
  playbackStartPerAccount: { limit: 2, periodS: 60, burst: 2 },
};

const wrong = (api: ReturnType<typeof http>, ip: string, email = ADMIN.email) =>
  api.call("POST", "/auth/login", {
    body: { email, password: "wrong-password" },
    headers: { "x-forwarded-for": ip },
  });

/**
 * Two instances on one fresh PostgreSQL database sharing Redis (under a prefix of their own), once
 * both are connected to Redis (limits would otherwise come from the local fallback).
 */
async function twoInstances() {
  const prefix = `test:${randomBytes(4).toString("hex")}:`;
  const fresh = await freshDatabase("postgres");
  const a = await testServer(
    "postgres",
    { trustProxy: true, redisUrl: REDIS_URL },
    { limits: tight, redisPrefix: prefix, database: fresh.db },
  );
  const b = await testServer(
    "postgres",
    { trustProxy: true, redisUrl: REDIS_URL, dataDir: a.context.config.dataDir },
    { limits: tight, redisPrefix: prefix, database: fresh.db, skipSeed: true },
  );
  const until = Date.now() + 10_000;
  while (Date.now() < until && !(a.context.redis?.status === "ready" && b.context.redis?.status === "ready"))
    await sleep(20);
  return { a, b, fresh };
}

describe("rate limits", () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
  });

  it("the N+1th login attempt from one address is 429 with Retry-After and RateLimit headers", async () => {
    const server = await testServer("pglite", { trustProxy: true }, { limits: tight });
    servers.push(server);
    const api = http(server.url);
    for (let i = 0; i < 3; i++) {
      const res = await wrong(api, "10.0.0.1");
      expect(res.status).toBe(401);
      expect(res.headers.get("ratelimit-policy")).toContain('"login-address";q=3;w=60');
      expect(res.headers.get("ratelimit")).toContain(`"login-address";r=${2 - i}`);
    }
    const limited = await wrong(api, "10.0.0.1");
    expect([limited.status, limited.body.code]).toEqual([429, "rate_limited"]);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("content-type")).toContain("application/problem+json");
    // Another address is not affected.
    expect((await wrong(api, "10.0.0.2")).status).toBe(401);
  });

  it("limits attempts per account across addresses, and a success clears the account's failures", async () => {
    const server = await testServer(
      "pglite",
      { trustProxy: true },
      {
        limits: {
          ...tight,
          loginPerAddress: { limit: 100, periodS: 60, burst: 100 },
          loginPerAccount: { limit: 2, periodS: 600, burst: 2 },
        },
      },
    );
    servers.push(server);
    const api = http(server.url);
    expect((await wrong(api, "10.0.1.1")).status).toBe(401);
    expect((await wrong(api, "10.0.1.2")).status).toBe(401);
    const limited = await wrong(api, "10.0.1.3");
    expect([limited.status, limited.body.code]).toEqual([429, "rate_limited"]);
    expect((await wrong(api, "10.0.1.4", "other@example.test")).status).toBe(401);
  });

  it("limits playback starts per account", async () => {
    const server = await testServer("pglite", { maxSessionsPerUser: 10 }, { limits: tight });
    servers.push(server);
    const api = http(server.url);
    const admin = (await api.login(ADMIN.email, ADMIN.password)).access_token;
    await api.post(
      "/streams",
      { id: "f", title: "f", points_per_minute: 0, source: { kind: "test" } },
      admin,
    );
    await api.post("/streams/f/state", { state: "live" }, admin);
    expect((await api.post("/playback/start", { stream_id: "f" }, admin)).status).toBe(201);
    expect((await api.post("/playback/start", { stream_id: "f" }, admin)).status).toBe(201);
    const third = await api.post("/playback/start", { stream_id: "f" }, admin);
    expect([third.status, third.body.code]).toEqual([429, "rate_limited"]);
    expect(third.headers.get("retry-after")).not.toBeNull();
  });

  it("shares limits across two instances through Redis", async () => {
    const { a, b, fresh } = await twoInstances();
    servers.push(b, a);
    const [apiA, apiB] = [http(a.url), http(b.url)];
    expect((await wrong(apiA, "10.0.2.1")).status).toBe(401);
    expect((await wrong(apiB, "10.0.2.1")).status).toBe(401);
    expect((await wrong(apiA, "10.0.2.1")).status).toBe(401);
    expect((await wrong(apiB, "10.0.2.1")).status).toBe(429);
    expect((await wrong(apiA, "10.0.2.1")).status).toBe(429);

    // Session changes reach the other instance's cache.
    const admin = (await apiA.login(ADMIN.email, ADMIN.password)).access_token;
    await apiA.post(
      "/streams",
      { id: "shared", title: "s", points_per_minute: 0, source: { kind: "test" } },
      admin,
    );
    await apiA.post("/streams/shared/state", { state: "live" }, admin);
    const start = await apiA.post("/playback/start", { stream_id: "shared" }, admin);
    expect(start.status).toBe(201);
    const id = start.body.session_id;
    await eventually(() => b.sessions.isActive(id));
    expect((await apiB.call("DELETE", `/admin/sessions/${id}`, { token: admin })).status).toBe(204);
    await eventually(() => !a.sessions.isActive(id) && a.sessions.get(id)?.endReason === "revoked");
    // A balance changed through B shows in A's GET /me (A drops its cached copy on B's message).
    const me = await apiA.get("/me", admin);
    await apiB.post(`/admin/users/${me.body.id}/points`, { delta: 25, reason: "shared" }, admin);
    await eventuallyAsync(
      async () => (await apiA.get("/me", admin)).body.points_balance === me.body.points_balance + 25,
    );
    await b.stop();
    servers.splice(servers.indexOf(b), 1);
    await a.close(1000);
    await fresh.drop();
  });

  it("10,000 login attempts on one account from one address across two instances never pass the policy (R5)", async () => {
    const { a, b, fresh } = await twoInstances();
    try {
      const apis = [http(a.url), http(b.url)] as const;
      const started = Date.now();
      const statuses = new Map<number, number>();
      // 100 in flight at a time, alternating instances.
      for (let batch = 0; batch < 100; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 100 }, (_, i) => wrong(apis[i % 2] as (typeof apis)[number], "10.0.3.1")),
        );
        for (const { status } of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      const elapsed = Date.now() - started;
      expect([...statuses.keys()].sort()).toEqual([401, 429]);
      expect((statuses.get(401) ?? 0) + (statuses.get(429) ?? 0)).toBe(10_000);
      // GCRA: in t ms at most burst + t * limit / period attempts get through, on both instances together.
      const policy = tight.loginPerAddress;
      const allowed = Math.floor(policy.burst + (elapsed * policy.limit) / (policy.periodS * 1000));
      expect(statuses.get(401)).toBeLessThanOrEqual(allowed);
      expect(statuses.get(401)).toBeGreaterThanOrEqual(policy.burst);
    } finally {
      await b.stop();
      await a.close(1000);
      await fresh.drop();
    }
  }, 120_000);

  it("falls back to a stricter local limit while Redis is unreachable, answering at once", async () => {
    const server = await testServer(
      "pglite",
      { trustProxy: true, redisUrl: "redis://127.0.0.1:1" },
      {
        limits: { ...tight, loginPerAddress: { limit: 8, periodS: 60, burst: 8 } },
      },
    );
    servers.push(server);
    const api = http(server.url);
    expect((await wrong(api, "10.0.3.1")).status).toBe(401);
    expect((await wrong(api, "10.0.3.1")).status).toBe(401);
    const limited = await wrong(api, "10.0.3.1");
    expect([limited.status, limited.body.code]).toEqual([429, "rate_limited"]);
    expect(server.context.errors.list().some((e) => e.kind === "redis")).toBe(true);
    expect((await api.get("/healthz")).status).toBe(200);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await sleep(20);
  }
}

async function eventuallyAsync(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await sleep(20);
  }
}

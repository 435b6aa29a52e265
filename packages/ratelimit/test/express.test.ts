import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MemoryStore, RateLimiter } from "@mpvstream/ratelimit";
import { byAccount, byAddress, rateLimit } from "@mpvstream/ratelimit/express";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0, "127.0.0.1");
  servers.push(server);
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const ok = (_req: express.Request, res: express.Response) => {
  res.json({ ok: true });
};

describe("rateLimit middleware", () => {
  it("sets RateLimit-Policy and RateLimit on every answer and refuses with problem+json 429", async () => {
    const now = 5_000_000;
    const limiter = new RateLimiter({ name: "login", limit: 2, periodMs: 60_000, clock: () => now });
    const app = express();
    app.post("/login", rateLimit({ limiter, key: byAddress }), ok);
    const base = await listen(app);

    const first = await fetch(`${base}/login`, { method: "POST" });
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-policy")).toBe('"login";q=2;w=60');
    expect(first.headers.get("ratelimit")).toBe('"login";r=1;t=30');
    expect(first.headers.get("retry-after")).toBeNull();
    const second = await fetch(`${base}/login`, { method: "POST" });
    expect(second.headers.get("ratelimit")).toBe('"login";r=0;t=60');

    const refused = await fetch(`${base}/login`, { method: "POST" });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(refused.headers.get("ratelimit-policy")).toBe('"login";q=2;w=60');
    expect(refused.headers.get("ratelimit")).toBe('"login";r=0;t=30');
    expect(await refused.json()).toEqual({
      type: "urn:mpvstream:problem:rate_limited",
      title: "Too many requests",
      status: 429,
      detail: 'Rate limit "login" reached; retry in 30 s.',
      code: "rate_limited",
    });
  });

  it("keys by address through the app's trust proxy setting", async () => {
    const limiter = new RateLimiter({ limit: 1, periodMs: 60_000 });
    const seen: string[] = [];
    const app = express();
    app.set("trust proxy", "loopback");
    app.use((req, _res, next) => {
      seen.push(String(req.ip));
      next();
    });
    app.get("/", rateLimit({ limiter, key: byAddress }), ok);
    const base = await listen(app);
    const from = (ip: string) => fetch(base, { headers: { "x-forwarded-for": ip } }).then((r) => r.status);
    expect(await from("203.0.113.7")).toBe(200);
    expect(await from("203.0.113.7")).toBe(429);
    expect(await from("203.0.113.8")).toBe(200);
    // One IPv6 /64 is one client.
    expect(await from("2001:db8:1:2::1")).toBe(200);
    expect(await from("2001:db8:1:2:ffff::9")).toBe(429);
    expect(await from("2001:db8:1:3::1")).toBe(200);
    expect(seen).toContain("203.0.113.8");

    // Without trust proxy the header is ignored: every request is the loopback client.
    const strict = express();
    const limiter2 = new RateLimiter({ limit: 1, periodMs: 60_000 });
    strict.get("/", rateLimit({ limiter: limiter2, key: byAddress }), ok);
    const base2 = await listen(strict);
    const statuses = [];
    for (const ip of ["198.51.100.1", "198.51.100.2"]) {
      statuses.push((await fetch(base2, { headers: { "x-forwarded-for": ip } })).status);
    }
    expect(statuses).toEqual([200, 429]);
  });

  it("keys by account, lets requests without an account through, honours skip and cost", async () => {
    const limiter = new RateLimiter({ name: "play", limit: 4, periodMs: 60_000, clock: () => 0 });
    const app = express();
    app.use(express.json());
    app.post(
      "/start",
      rateLimit({
        limiter,
        key: byAccount((req) => (req.body as { user?: string } | undefined)?.user),
        skip: (req) => req.get("x-internal") === "1",
        cost: (req) => Number(req.get("x-cost") ?? 1),
        policyName: "playback start",
      }),
      ok,
    );
    const base = await listen(app);
    const post = (body: object, headers: Record<string, string> = {}) =>
      fetch(`${base}/start`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    expect((await post({ user: "ada" }, { "x-cost": "3" })).status).toBe(200);
    const second = await post({ user: "ada" }, { "x-cost": "2" });
    expect(second.status).toBe(429);
    expect(second.headers.get("ratelimit")).toBe('"playback start";r=1;t=15');
    expect((await post({ user: "ada" })).status).toBe(200);
    expect((await post({ user: "bob" }, { "x-cost": "4" })).status).toBe(200);
    const anonymous = await post({});
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("ratelimit")).toBeNull();
    const skipped = await post({ user: "ada" }, { "x-internal": "1" });
    expect(skipped.status).toBe(200);
    expect(skipped.headers.get("ratelimit")).toBeNull();
    // A cost over the burst is a programming error: it goes to Express's error handler.
    expect((await post({ user: "ada" }, { "x-cost": "9" })).status).toBe(500);
  });

  it("stacks address and account policies in one response", async () => {
    const perAddress = new RateLimiter({ name: "ip", limit: 10, periodMs: 60_000, clock: () => 0 });
    const perAccount = new RateLimiter({ name: "account", limit: 3, periodMs: 60_000, clock: () => 0 });
    const app = express();
    app.get(
      "/",
      rateLimit({ limiter: perAddress, key: byAddress }),
      rateLimit({ limiter: perAccount, key: byAccount(() => "ada") }),
      ok,
    );
    const response = await fetch(await listen(app));
    expect(response.headers.get("ratelimit-policy")).toBe('"ip";q=10;w=60, "account";q=3;w=60');
    expect(response.headers.get("ratelimit")).toBe('"ip";r=9;t=6, "account";r=2;t=20');
  });

  it("answers 503 service_unavailable with Retry-After when the store fails closed, and passes when open", async () => {
    const full = () => {
      const store = new MemoryStore({ maxKeys: 1, whenFull: "refuse" });
      store.consume("default:someone-else", { limit: 1, periodMs: 60_000, burst: 1 }, 1, Date.now());
      return store;
    };
    const app = express();
    app.get(
      "/closed",
      rateLimit({ limiter: new RateLimiter({ limit: 5, periodMs: 60_000, store: full() }), key: byAddress }),
      ok,
    );
    app.get(
      "/open",
      rateLimit({
        limiter: new RateLimiter({ limit: 5, periodMs: 60_000, store: full(), failure: "open" }),
        key: byAddress,
      }),
      ok,
    );
    const base = await listen(app);
    const closed = await fetch(`${base}/closed`);
    expect(closed.status).toBe(503);
    expect(closed.headers.get("retry-after")).toBe("1");
    expect(await closed.json()).toMatchObject({ status: 503, code: "service_unavailable" });
    expect((await fetch(`${base}/open`)).status).toBe(200);
  });

  it("refuses a policy name that cannot be a header value", () => {
    const limiter = new RateLimiter({ limit: 1, periodMs: 1000 });
    expect(() => rateLimit({ limiter, key: byAddress, policyName: "é\n" })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });
});

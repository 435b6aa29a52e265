import { RateLimiter } from "@mpvstream/ratelimit";
import { RedisStore } from "@mpvstream/ratelimit/redis";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `rltest:${process.pid}:${Date.now()}:`;

let io: Redis;
let io2: Redis;
let node: ReturnType<typeof createClient>;

beforeAll(async () => {
  io = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  io2 = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  node = createClient({ url, disableOfflineQueue: true });
  node.on("error", () => {});
  await node.connect();
  await Promise.all([io, io2].map((client) => new Promise((resolve) => client.once("ready", resolve))));
});

afterAll(async () => {
  const keys = await io.keys(`${prefix}*`);
  if (keys.length > 0) await io.del(...keys);
  io.disconnect();
  io2.disconnect();
  await node.quit();
});

describe.each([
  { name: "ioredis", client: () => io },
  { name: "node-redis", client: () => node },
])("RedisStore with $name", ({ name, client }) => {
  it("allows the burst and refuses the next, with the script's numbers", async () => {
    const store = new RedisStore({ client: client(), prefix });
    const limiter = new RateLimiter({ name: `${name}-burst`, limit: 5, periodMs: 3_600_000, store });
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push(await limiter.consume("k"));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
    const refused = decisions[5];
    // One unit comes back every 720,000 ms; a few ms may have passed on the server.
    expect(refused?.retryAfterMs).toBeGreaterThan(719_000);
    expect(refused?.retryAfterMs).toBeLessThanOrEqual(720_000);
    expect(refused?.resetMs).toBeGreaterThan(3_599_000);
  });

  it("keeps the sub-millisecond remainder when limit does not divide the period (7 per minute)", async () => {
    const store = new RedisStore({ client: client(), prefix });
    const limiter = new RateLimiter({ name: `${name}-frac`, limit: 7, periodMs: 60_000, burst: 3, store });
    for (const remaining of [2, 1, 0])
      expect(await limiter.consume("k")).toMatchObject({ allowed: true, remaining });
    const refused = await limiter.consume("k");
    expect(refused.allowed).toBe(false);
    // One unit every 8571.43 ms; the bucket is full 25714.29 ms after the first request.
    expect(refused.retryAfterMs).toBeGreaterThan(8_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(8_572);
    expect(refused.resetMs).toBeLessThanOrEqual(25_715);
    const key = `${prefix}${name}-frac:k`;
    const [value, ttl] = await Promise.all([io.get(key), io.pttl(key)]);
    // Expiry at the first whole ms after the TAT; the value is how far (in 1/7 ms) the TAT falls short of it.
    expect(Number(value)).toBeGreaterThanOrEqual(0);
    expect(Number(value)).toBeLessThan(7);
    expect(ttl * 7 - Number(value)).toBeGreaterThan(0);
  });

  it("charges costs, expires the key when the bucket is full again, and resets", async () => {
    const store = new RedisStore({ client: client(), prefix });
    const limiter = new RateLimiter({ name: `${name}-cost`, limit: 10, periodMs: 60_000, burst: 10, store });
    expect(await limiter.consume("k", 7)).toMatchObject({ allowed: true, remaining: 3 });
    expect(await limiter.consume("k", 4)).toMatchObject({ allowed: false, remaining: 3 });
    const ttl = await io.pttl(`${prefix}${name}-cost:k`);
    expect(ttl).toBeGreaterThan(40_000);
    expect(ttl).toBeLessThanOrEqual(42_001);
    await limiter.reset("k");
    expect(await io.exists(`${prefix}${name}-cost:k`)).toBe(0);
    expect(await limiter.consume("k", 10)).toMatchObject({ allowed: true, remaining: 0 });
  });
});

describe("two limiter instances sharing one key", () => {
  it("never accept more than the burst together, across ioredis and node-redis clients", async () => {
    const policy = { name: "shared", limit: 50, periodMs: 3_600_000, burst: 50 };
    const a = new RateLimiter({ ...policy, store: new RedisStore({ client: io, prefix }) });
    const b = new RateLimiter({ ...policy, store: new RedisStore({ client: io2, prefix }) });
    const c = new RateLimiter({ ...policy, store: new RedisStore({ client: node, prefix }) });
    const results = await Promise.all(
      Array.from({ length: 600 }, (_, i) => [a, b, c][i % 3]?.consume("login:ada@example.com")),
    );
    expect(results.filter((d) => d?.allowed).length).toBe(50);
  });

  it("agree on time through the server clock even when their own clocks are skewed", async () => {
    const policy = {
      name: "skew",
      limit: 1,
      periodMs: 3_600_000,
      store: new RedisStore({ client: io, prefix }),
    };
    const early = new RateLimiter({ ...policy, clock: () => Date.now() - 7_200_000 });
    const late = new RateLimiter({ ...policy, clock: () => Date.now() + 7_200_000 });
    expect((await late.consume("k")).allowed).toBe(true);
    expect((await early.consume("k")).allowed).toBe(false);
  });
});

import { isRateLimitError, RateLimiter } from "@mpvstream/ratelimit";
import { RedisStore } from "@mpvstream/ratelimit/redis";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, freePort, PrivateRedis } from "./helpers/redis-server.js";

// A redis-server of our own on another port, so the shared one on 6379 stays up.
let server: PrivateRedis;
let io: Redis;
let node: ReturnType<typeof createClient>;

beforeAll(async () => {
  server = new PrivateRedis(await freePort());
  await server.start();
  io = new Redis({
    host: "127.0.0.1",
    port: server.port,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 50,
  });
  io.on("error", () => {});
  node = createClient({ socket: { host: "127.0.0.1", port: server.port, reconnectStrategy: () => 50 } });
  node.on("error", () => {});
  await node.connect();
  await eventually(() => io.status === "ready");
});

afterAll(async () => {
  server.signal("SIGCONT");
  io.disconnect();
  node.destroy();
  await server.stop();
});

describe("Redis stopped mid-run", () => {
  it("fails open or closed as configured, reports each failure, and recovers", async () => {
    const failures: { limiter: string; code: unknown }[] = [];
    const make = (client: Redis | typeof node, failure: "open" | "closed", name: string) =>
      new RateLimiter({
        name,
        limit: 2,
        periodMs: 3_600_000,
        failure,
        store: new RedisStore({ client, timeoutMs: 300 }),
        onStoreError: (error) => failures.push({ limiter: name, code: (error as { code?: unknown }).code }),
      });
    const limiters = {
      openIo: make(io, "open", "open-io"),
      closedIo: make(io, "closed", "closed-io"),
      openNode: make(node, "open", "open-node"),
      closedNode: make(node, "closed", "closed-node"),
    };

    // Before: both policies limit normally.
    for (const limiter of Object.values(limiters)) {
      expect((await limiter.consume("k")).allowed).toBe(true);
      expect((await limiter.consume("k")).allowed).toBe(true);
      expect((await limiter.consume("k")).allowed).toBe(false);
    }
    expect(failures).toEqual([]);

    await server.stop();
    await eventually(() => io.status !== "ready" && !node.isReady);

    // During: open lets requests through, closed rejects with store_unavailable, both report.
    for (let i = 0; i < 5; i++) {
      expect((await limiters.openIo.consume("k")).allowed).toBe(true);
      expect((await limiters.openNode.consume("k")).allowed).toBe(true);
      for (const closed of [limiters.closedIo, limiters.closedNode]) {
        const error = await closed.consume("k").catch((e: unknown) => e);
        expect(isRateLimitError(error, "store_unavailable")).toBe(true);
      }
    }
    expect(failures.length).toBe(20);
    expect(new Set(failures.map((f) => f.code))).toEqual(new Set(["store_unavailable"]));

    // After: a fresh (empty, --save "") server on the same port; clients reconnect by themselves.
    await server.start();
    await eventually(() => io.status === "ready" && node.isReady);
    for (const limiter of Object.values(limiters)) {
      expect((await limiter.consume("k")).allowed).toBe(true);
      expect((await limiter.consume("k")).allowed).toBe(true);
      expect((await limiter.consume("k")).allowed).toBe(false);
    }
    expect(failures.length).toBe(20);
  });

  it("gives up after timeoutMs when Redis is connected but silent, then works again", async () => {
    const codes: unknown[] = [];
    const store = new RedisStore({ client: io, timeoutMs: 200 });
    const closed = new RateLimiter({ name: "frozen", limit: 5, periodMs: 60_000, store });
    const open = new RateLimiter({
      name: "frozen-open",
      limit: 5,
      periodMs: 60_000,
      store,
      failure: "open",
      onStoreError: (error) => codes.push((error as { code?: unknown }).code),
    });
    expect((await closed.consume("k")).allowed).toBe(true);
    server.signal("SIGSTOP");
    try {
      const error = await closed.consume("k").catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "store_unavailable", cause: { code: "store_timeout" } });
      expect((await open.consume("k")).allowed).toBe(true);
      expect(codes).toEqual(["store_timeout"]);
    } finally {
      server.signal("SIGCONT");
    }
    await eventually(async () => (await closed.consume("k").catch(() => undefined))?.allowed === true);
  });

  it("loads the script again after SCRIPT FLUSH (NOSCRIPT fallback)", async () => {
    for (const client of [io, node]) {
      const limiter = new RateLimiter({
        name: "flush",
        limit: 3,
        periodMs: 60_000,
        store: new RedisStore({ client }),
      });
      await io.script("FLUSH");
      expect(await limiter.consume(`k${client === io ? 1 : 2}`)).toMatchObject({
        allowed: true,
        remaining: 2,
      });
      expect(await limiter.consume(`k${client === io ? 1 : 2}`)).toMatchObject({
        allowed: true,
        remaining: 1,
      });
    }
  });
});

import { type RateLimitDecision, RateLimiter } from "@mpvstream/ratelimit";
import type { KeyFunction } from "@mpvstream/ratelimit/express";
import { byAccount, byAddress, rateLimit } from "@mpvstream/ratelimit/express";
import { RedisStore } from "@mpvstream/ratelimit/redis";
import type { RequestHandler } from "express";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { describe, expectTypeOf, it } from "vitest";

describe("public types", () => {
  it("accepts the clients people already have", () => {
    expectTypeOf(RedisStore).toBeConstructibleWith({ client: new Redis() });
    expectTypeOf(RedisStore).toBeConstructibleWith({ client: createClient(), prefix: "x:", timeoutMs: 100 });
    // @ts-expect-error not a Redis client
    new RedisStore({ client: {} });
  });

  it("types decisions and middleware", () => {
    const limiter = new RateLimiter({ limit: 1, periodMs: 1000 });
    expectTypeOf(limiter.consume("k")).resolves.toEqualTypeOf<RateLimitDecision>();
    expectTypeOf(rateLimit({ limiter, key: byAddress })).toEqualTypeOf<RequestHandler>();
    expectTypeOf(byAccount((req) => req.get("x-user"))).toEqualTypeOf<KeyFunction>();
    // @ts-expect-error failure is "open" or "closed"
    new RateLimiter({ limit: 1, periodMs: 1000, failure: "maybe" });
  });
});

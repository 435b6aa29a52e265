import { isRateLimitError, MemoryStore, RateLimitError, RateLimiter } from "@mpvstream/ratelimit";
import { describe, expect, it } from "vitest";

const fakeClock = (start = 1_000_000) => {
  const clock = { now: start, read: () => clock.now };
  return clock;
};

describe("exact budget with a fake clock", () => {
  it("allows the burst, refuses the next, refills at the right millisecond (10 per second, burst 5)", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ limit: 10, periodMs: 1000, burst: 5, clock: clock.read });
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const decision = await limiter.consume("k");
      expect(decision.allowed).toBe(true);
      remaining.push(decision.remaining);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    const refused = await limiter.consume("k");
    expect(refused).toEqual({ allowed: false, limit: 10, remaining: 0, resetMs: 500, retryAfterMs: 100 });
    clock.now += 99;
    expect(await limiter.consume("k")).toMatchObject({ allowed: false, retryAfterMs: 1 });
    clock.now += 1;
    expect(await limiter.consume("k")).toEqual({
      allowed: true,
      limit: 10,
      remaining: 0,
      resetMs: 500,
      retryAfterMs: 0,
    });
    clock.now += 500;
    expect(await limiter.consume("k")).toMatchObject({ allowed: true, remaining: 4, resetMs: 100 });
  });

  it("keeps sub-millisecond emission intervals exact (3 per second: 333.33 ms)", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ limit: 3, periodMs: 1000, clock: clock.read });
    for (let i = 0; i < 3; i++) expect((await limiter.consume("k")).allowed).toBe(true);
    expect(await limiter.consume("k")).toMatchObject({ allowed: false, retryAfterMs: 334 });
    clock.now += 333;
    expect((await limiter.consume("k")).allowed).toBe(false);
    clock.now += 1; // 333.33 ms have passed: one unit is back
    expect((await limiter.consume("k")).allowed).toBe(true);
    expect(await limiter.consume("k")).toMatchObject({ allowed: false, retryAfterMs: 333 });
    clock.now += 332; // t = 666 < 666.67
    expect((await limiter.consume("k")).allowed).toBe(false);
    clock.now += 1; // t = 667
    expect((await limiter.consume("k")).allowed).toBe(true);
    // 3000 periods later every unit arrived exactly on time: no drift.
    clock.now += 1000 * 1000;
    let allowed = 0;
    for (let i = 0; i < 10; i++) if ((await limiter.consume("k")).allowed) allowed++;
    expect(allowed).toBe(3);
  });

  it.each([
    { cost: 3, first: true, second: false, retryAfterMs: 100 },
    { cost: 5, first: true, second: false, retryAfterMs: 500 },
    { cost: 0, first: true, second: true, retryAfterMs: 0 },
  ])("charges cost $cost", async ({ cost, first, second, retryAfterMs }) => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ limit: 10, periodMs: 1000, burst: 5, clock: clock.read });
    expect((await limiter.consume("k", cost)).allowed).toBe(first);
    const next = await limiter.consume("k", cost);
    expect(next.allowed).toBe(second);
    expect(next.retryAfterMs).toBe(retryAfterMs);
  });

  it("keeps keys apart and forgets a key on reset", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ limit: 1, periodMs: 60_000, clock: clock.read });
    expect((await limiter.consume("a")).allowed).toBe(true);
    expect((await limiter.consume("a")).allowed).toBe(false);
    expect((await limiter.consume("b")).allowed).toBe(true);
    await limiter.reset("a");
    expect((await limiter.consume("a")).allowed).toBe(true);
  });

  it("separates limiters sharing a store by name", async () => {
    const store = new MemoryStore();
    const login = new RateLimiter({ name: "login", limit: 1, periodMs: 60_000, store });
    const play = new RateLimiter({ name: "play", limit: 1, periodMs: 60_000, store });
    expect((await login.consume("u1")).allowed).toBe(true);
    expect((await play.consume("u1")).allowed).toBe(true);
    expect((await login.consume("u1")).allowed).toBe(false);
  });
});

describe("errors", () => {
  it.each([
    { limit: 0, periodMs: 1000 },
    { limit: 1.5, periodMs: 1000 },
    { limit: 10, periodMs: -1 },
    { limit: 10, periodMs: 1000, burst: 0 },
    { limit: 10, periodMs: Number.MAX_SAFE_INTEGER },
  ])("refuses policy %o with invalid_options", (options) => {
    expect(() => new RateLimiter(options)).toThrow(expect.objectContaining({ code: "invalid_options" }));
  });

  it.each([-1, 1.5, 6, Number.NaN])("refuses cost %s with invalid_cost", async (cost) => {
    const limiter = new RateLimiter({ limit: 10, periodMs: 1000, burst: 5 });
    await expect(limiter.consume("k", cost)).rejects.toMatchObject({
      name: "RateLimitError",
      code: "invalid_cost",
    });
  });

  it("enforce throws rate_limited with the decision on cause", async () => {
    const limiter = new RateLimiter({ limit: 1, periodMs: 1000, clock: () => 0 });
    await limiter.enforce("k");
    const error = await limiter.enforce("k").catch((e: unknown) => e);
    expect(isRateLimitError(error, "rate_limited")).toBe(true);
    expect((error as RateLimitError).cause).toMatchObject({ allowed: false, retryAfterMs: 1000 });
  });

  it("guards duck-typed errors from another copy and refuses look-alikes", () => {
    expect(isRateLimitError({ name: "RateLimitError", code: "store_timeout" })).toBe(true);
    expect(isRateLimitError({ name: "RateLimitError", code: "nope" })).toBe(false);
    expect(isRateLimitError(new Error("x"))).toBe(false);
    expect(isRateLimitError(null)).toBe(false);
    expect(isRateLimitError(new RateLimitError("store_full", "x"), "store_timeout")).toBe(false);
  });
});

import { MemoryStore, RateLimiter } from "@mpvstream/ratelimit";
import { describe, expect, it } from "vitest";

const policy = { limit: 1, periodMs: 1000, burst: 1 };

describe("MemoryStore", () => {
  it("sweeps keys whose bucket is full again, without any timer", () => {
    const store = new MemoryStore({ maxKeys: 10_000 });
    for (let i = 0; i < 5000; i++) store.consume(`old${i}`, policy, 1, 0);
    expect(store.size).toBe(5000);
    // Long after every old bucket refilled, ordinary traffic sweeps them incrementally.
    for (let i = 0; i < 100_000; i++) store.consume("hot", policy, 1, 10_000 + i);
    expect(store.size).toBe(1);
  });

  it("evicts the oldest key when full and nothing has expired", () => {
    const store = new MemoryStore({ maxKeys: 3 });
    for (const key of ["a", "b", "c"]) expect(store.consume(key, policy, 1, 0).allowed).toBe(true);
    expect(store.consume("d", policy, 1, 0).allowed).toBe(true);
    expect(store.size).toBe(3);
    expect(store.consume("b", policy, 1, 0).allowed).toBe(false); // still held
    expect(store.consume("a", policy, 1, 0).allowed).toBe(true); // evicted: a full bucket again
  });

  it("prefers expired keys over eviction", () => {
    const store = new MemoryStore({ maxKeys: 2 });
    store.consume("a", { limit: 1, periodMs: 10, burst: 1 }, 1, 0);
    store.consume("b", policy, 1, 0);
    store.consume("c", policy, 1, 100); // "a" has refilled by t=100 and goes first
    expect(store.consume("b", policy, 1, 100).allowed).toBe(false);
    expect(store.size).toBe(2);
  });

  it("refuses new keys when told to, and the limiter's failure policy applies", async () => {
    const errors: unknown[] = [];
    const store = new MemoryStore({ maxKeys: 1, whenFull: "refuse" });
    const closed = new RateLimiter({
      limit: 1,
      periodMs: 60_000,
      store,
      onStoreError: (e) => errors.push(e),
    });
    const open = new RateLimiter({ limit: 1, periodMs: 60_000, store, failure: "open", name: "open" });
    expect((await closed.consume("a")).allowed).toBe(true);
    const error = await closed.consume("b").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "store_unavailable", cause: { code: "store_full" } });
    expect(errors).toEqual([expect.objectContaining({ code: "store_full" })]);
    expect(await open.consume("c")).toMatchObject({ allowed: true });
  });

  it("refuses bad options", () => {
    expect(() => new MemoryStore({ maxKeys: 0 })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    // @ts-expect-error checked at run time too
    expect(() => new MemoryStore({ whenFull: "drop" })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });
});

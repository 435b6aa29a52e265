import { RateLimitError } from "./errors.js";
import { checkPolicy } from "./internal/gcra.js";
import { MemoryStore } from "./memory-store.js";
import type { Clock, RateLimitDecision, RateLimitPolicy, RateLimitStore } from "./types.js";

/**
 * Options of a {@link RateLimiter}.
 *
 * @example
 * ```ts
 * const options: RateLimiterOptions = { limit: 5, periodMs: 60_000, burst: 5, failure: "closed" };
 * ```
 */
export interface RateLimiterOptions {
  /** Units that refill per period. */
  readonly limit: number;
  /** The period in milliseconds. */
  readonly periodMs: number;
  /** Units a full bucket holds (default `limit`). */
  readonly burst?: number;
  /** Where state lives (default a new {@link MemoryStore}). */
  readonly store?: RateLimitStore;
  /** Names the policy: the store key prefix and the `RateLimit-Policy` item (default `"default"`). */
  readonly name?: string;
  /** Milliseconds clock for the memory store (default `Date.now`); Redis stores use the server clock. */
  readonly clock?: Clock;
  /**
   * What a decision is when the store fails (unreachable, timed out, full): `"closed"` (default)
   * rejects with a `store_unavailable` {@link RateLimitError}; `"open"` lets the request through.
   */
  readonly failure?: "open" | "closed";
  /** Called with the store's error and the key each time the store fails, before `failure` applies. */
  readonly onStoreError?: (error: unknown, key: string) => void;
}

/**
 * A GCRA rate limiter: `limit` units per `periodMs` sustained, `burst` units at once, decided
 * in whole milliseconds by a memory or Redis store.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ limit: 10, periodMs: 60_000, burst: 5 });
 * const { allowed, retryAfterMs } = await limiter.consume("10.0.0.1");
 * ```
 */
export class RateLimiter {
  /** The validated policy. */
  readonly policy: RateLimitPolicy;
  /** The policy's name. */
  readonly name: string;
  /** The store failure policy. */
  readonly failure: "open" | "closed";
  readonly #store: RateLimitStore;
  readonly #clock: Clock;
  readonly #prefix: string;
  readonly #onStoreError: ((error: unknown, key: string) => void) | undefined;

  /**
   * Creates a limiter; throws `invalid_options` on a bad policy.
   *
   * @example
   * ```ts
   * const limiter = new RateLimiter({ limit: 100, periodMs: 1000, store: new MemoryStore() });
   * ```
   */
  constructor(options: RateLimiterOptions) {
    const { limit, periodMs, burst = limit, name = "default", failure = "closed" } = options;
    this.policy = checkPolicy(limit, periodMs, burst);
    if (failure !== "open" && failure !== "closed") {
      throw new RateLimitError(
        "invalid_options",
        `failure must be "open" or "closed", got ${String(failure)}`,
      );
    }
    this.name = name;
    this.failure = failure;
    this.#store = options.store ?? new MemoryStore();
    this.#clock = options.clock ?? Date.now;
    this.#prefix = `${name}:`;
    this.#onStoreError = options.onStoreError;
  }

  /**
   * Takes `cost` units (default 1; 0 only looks) from `key`'s bucket if they are there.
   * Resolves with the decision; rejects with `invalid_cost`, or with `store_unavailable`
   * when the store fails and the limiter fails closed.
   *
   * @example
   * ```ts
   * const decision = await limiter.consume(`account:${userId}`, 2);
   * ```
   */
  consume(key: string, cost = 1): Promise<RateLimitDecision> {
    if (!Number.isSafeInteger(cost) || cost < 0 || cost > this.policy.burst) {
      return Promise.reject(
        new RateLimitError("invalid_cost", `cost must be a whole number from 0 to ${this.policy.burst}`, {
          cause: { cost },
        }),
      );
    }
    let result: RateLimitDecision | Promise<RateLimitDecision>;
    try {
      result = this.#store.consume(this.#prefix + key, this.policy, cost, this.#clock());
    } catch (error) {
      return this.#failed(error, key, cost);
    }
    if (result instanceof Promise) return result.catch((error: unknown) => this.#failed(error, key, cost));
    return Promise.resolve(result);
  }

  /**
   * Like {@link RateLimiter.consume}, but rejects with a `rate_limited` {@link RateLimitError}
   * (the decision on `cause`) when the request may not go ahead.
   *
   * @example
   * ```ts
   * await limiter.enforce(`login:${email}`); // throws when over the limit
   * ```
   */
  async enforce(key: string, cost = 1): Promise<RateLimitDecision> {
    const decision = await this.consume(key, cost);
    if (!decision.allowed) {
      throw new RateLimitError("rate_limited", `rate limited: retry in ${decision.retryAfterMs} ms`, {
        cause: decision,
      });
    }
    return decision;
  }

  /**
   * Forgets `key`, so that its bucket is full again (after a successful login, say).
   *
   * @example
   * ```ts
   * await limiter.reset(`login:${email}`);
   * ```
   */
  async reset(key: string): Promise<void> {
    await this.#store.delete(this.#prefix + key);
  }

  #failed(error: unknown, key: string, cost: number): Promise<RateLimitDecision> {
    try {
      this.#onStoreError?.(error, key);
    } catch {
      // A failing observer must not change the decision.
    }
    if (this.failure === "closed") {
      return Promise.reject(
        new RateLimitError("store_unavailable", "the rate limit store failed; failing closed", {
          cause: error,
        }),
      );
    }
    const { limit, burst } = this.policy;
    return Promise.resolve({ allowed: true, limit, remaining: burst - cost, resetMs: 0, retryAfterMs: 0 });
  }
}

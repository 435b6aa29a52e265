/**
 * A GCRA policy: `limit` units per `periodMs` sustained, up to `burst` units at once.
 *
 * @example
 * ```ts
 * const policy: RateLimitPolicy = { limit: 10, periodMs: 60_000, burst: 5 };
 * ```
 */
export interface RateLimitPolicy {
  /** Units that refill per period (the sustained rate is `limit / periodMs`). */
  readonly limit: number;
  /** Length of the period in milliseconds. */
  readonly periodMs: number;
  /** Units a full bucket holds: how many requests of cost 1 pass at once after a quiet spell. */
  readonly burst: number;
}

/**
 * The answer to one {@link RateLimiter.consume} call. All times are whole milliseconds.
 *
 * @example
 * ```ts
 * const decision: RateLimitDecision = await limiter.consume("10.0.0.1");
 * if (!decision.allowed) console.log(`retry in ${decision.retryAfterMs} ms`);
 * ```
 */
export interface RateLimitDecision {
  /** Whether the request may go ahead; when it may, its cost has been taken. */
  readonly allowed: boolean;
  /** The policy's `limit` (units per period). */
  readonly limit: number;
  /** Requests of cost 1 that would pass right now, after this one. */
  readonly remaining: number;
  /** Milliseconds until the bucket is full again (0 when it is full). */
  readonly resetMs: number;
  /** Milliseconds until a request of the same cost would pass; 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * Where limiter state lives. A store applies one GCRA step atomically per call; the
 * {@link MemoryStore} uses the `now` it is given, a Redis store uses the server's clock.
 *
 * @example
 * ```ts
 * const store: RateLimitStore = new MemoryStore();
 * store.consume("ip:10.0.0.1", { limit: 10, periodMs: 1000, burst: 10 }, 1, Date.now());
 * ```
 */
export interface RateLimitStore {
  /** Takes `cost` units from `key`'s bucket if they are there, and says what happened. */
  consume(
    key: string,
    policy: RateLimitPolicy,
    cost: number,
    now: number,
  ): RateLimitDecision | Promise<RateLimitDecision>;
  /** Forgets `key`, so that its bucket is full again. */
  delete(key: string): void | Promise<void>;
}

/**
 * A clock in whole milliseconds since the epoch, injectable for tests.
 *
 * @example
 * ```ts
 * let now = 0;
 * const clock: Clock = () => now;
 * ```
 */
export type Clock = () => number;

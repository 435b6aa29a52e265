import {
  MemoryStore,
  type RateLimitDecision,
  RateLimiter,
  type RateLimitPolicy,
  type RateLimitStore,
} from "@mpvstream/ratelimit";
import { RedisStore } from "@mpvstream/ratelimit/redis";
import type { Redis } from "ioredis";

/** One limit: `limit` requests per `periodS` seconds, `burst` at once. */
export interface LimitPolicy {
  limit: number;
  periodS: number;
  burst: number;
}

/** The server's rate limits. */
export interface LimitSettings {
  /** Login attempts per client address. */
  loginPerAddress: LimitPolicy;
  /** Login attempts per account (email), whatever the address. */
  loginPerAccount: LimitPolicy;
  /** Playback starts per account. */
  playbackStartPerAccount: LimitPolicy;
}

/** The defaults, written down in docs/server.md. */
export const DEFAULT_LIMITS: LimitSettings = {
  loginPerAddress: { limit: 30, periodS: 60, burst: 10 },
  loginPerAccount: { limit: 10, periodS: 900, burst: 5 },
  playbackStartPerAccount: { limit: 30, periodS: 60, burst: 10 },
};

/** The share of a policy an instance allows on its own while Redis is away. */
const FALLBACK_SHARE = 0.25;

/**
 * A store that decides in Redis and, when Redis fails or times out, decides locally with a
 * quarter of the policy: money and login routes stay limited (conservatively) instead of
 * failing open, and no request waits past the Redis timeout.
 */
export class FallbackStore implements RateLimitStore {
  readonly #primary: RateLimitStore;
  readonly #local = new MemoryStore();
  readonly #onFallback: (error: unknown) => void;

  /** Creates the store over a primary (Redis) store. */
  constructor(primary: RateLimitStore, onFallback: (error: unknown) => void) {
    this.#primary = primary;
    this.#onFallback = onFallback;
  }

  /** Decides in the primary store, or locally with a stricter policy when it fails. */
  async consume(key: string, policy: RateLimitPolicy, cost: number, now: number): Promise<RateLimitDecision> {
    try {
      return await this.#primary.consume(key, policy, cost, now);
    } catch (error) {
      this.#onFallback(error);
      const strict: RateLimitPolicy = {
        limit: Math.max(1, Math.floor(policy.limit * FALLBACK_SHARE)),
        periodMs: policy.periodMs,
        burst: Math.max(Math.min(cost, policy.burst), Math.floor(policy.burst * FALLBACK_SHARE)),
      };
      const decision = await this.#local.consume(key, strict, cost, now);
      return { ...decision, limit: policy.limit };
    }
  }

  /** Deletes the key in both stores. */
  async delete(key: string): Promise<void> {
    this.#local.delete(key);
    await this.#primary.delete(key);
  }
}

/** The limiters of one server. */
export interface Limiters {
  loginPerAddress: RateLimiter;
  loginPerAccount: RateLimiter;
  playbackStart: RateLimiter;
}

/**
 * Builds the limiters: in memory by default; in Redis (shared by every instance) with a
 * conservative local fallback when a Redis client is given.
 */
export function createLimiters(
  settings: LimitSettings,
  options: {
    redis?: Redis | undefined;
    prefix?: string;
    clock?: () => number;
    onStoreError: (error: unknown) => void;
  },
): Limiters {
  const store = (): RateLimitStore =>
    options.redis === undefined
      ? new MemoryStore()
      : new FallbackStore(
          new RedisStore({
            client: options.redis,
            prefix: options.prefix ?? "mpvstream:rl:",
            timeoutMs: 250,
          }),
          options.onStoreError,
        );
  const make = (name: string, p: LimitPolicy) => {
    const limiterOptions = {
      name,
      limit: p.limit,
      periodMs: p.periodS * 1000,
      burst: p.burst,
      store: store(),
      failure: "closed" as const,
      onStoreError: options.onStoreError,
    };
    return new RateLimiter(options.clock ? { ...limiterOptions, clock: options.clock } : limiterOptions);
  };
  return {
    loginPerAddress: make("login-address", settings.loginPerAddress),
    loginPerAccount: make("login-account", settings.loginPerAccount),
    playbackStart: make("playback-start", settings.playbackStartPerAccount),
  };
}

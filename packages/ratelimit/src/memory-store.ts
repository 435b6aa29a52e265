import { RateLimitError } from "./errors.js";
import { debtAt, decide, floorDiv } from "./internal/gcra.js";
import type { RateLimitDecision, RateLimitPolicy, RateLimitStore } from "./types.js";

/**
 * Options of a {@link MemoryStore}.
 *
 * @example
 * ```ts
 * const options: MemoryStoreOptions = { maxKeys: 50_000, whenFull: "refuse" };
 * ```
 */
export interface MemoryStoreOptions {
  /** Hard cap on the number of keys held (default 100,000). */
  readonly maxKeys?: number;
  /**
   * What to do with a new key when `maxKeys` keys are held and none of them has expired:
   * `"evict-oldest"` (default) forgets the key first seen longest ago, which gets a full
   * bucket back the next time it comes; `"refuse"` throws `store_full`, which the limiter
   * then handles with its `failure` policy.
   */
  readonly whenFull?: "evict-oldest" | "refuse";
}

interface Entry {
  /** TAT in whole ms. */
  tat: number;
  /** TAT remainder in 1/limit ms. */
  rem: number;
  /** The `limit` that `rem` is counted in. */
  limit: number;
}

const SWEEP_EVERY = 256;
const SWEEP_BATCH = 32;

/**
 * A bounded in-process store. Keys whose bucket is full again carry no information and are
 * swept incrementally as calls come in (no timer, so it never keeps the process alive);
 * beyond `maxKeys`, `whenFull` decides. Use it for a single instance; use the Redis store
 * when several instances must share limits.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ limit: 5, periodMs: 60_000, store: new MemoryStore({ maxKeys: 10_000 }) });
 * ```
 */
export class MemoryStore implements RateLimitStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxKeys: number;
  readonly #refuseWhenFull: boolean;
  #sweeper: Iterator<[string, Entry]> | undefined;
  #calls = 0;

  /**
   * Creates an empty store.
   *
   * @example
   * ```ts
   * const store = new MemoryStore({ maxKeys: 1000 });
   * ```
   */
  constructor(options: MemoryStoreOptions = {}) {
    const { maxKeys = 100_000, whenFull = "evict-oldest" } = options;
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
      throw new RateLimitError(
        "invalid_options",
        `maxKeys must be a whole number >= 1, got ${String(maxKeys)}`,
      );
    }
    if (whenFull !== "evict-oldest" && whenFull !== "refuse") {
      throw new RateLimitError(
        "invalid_options",
        `whenFull must be "evict-oldest" or "refuse", got ${String(whenFull)}`,
      );
    }
    this.#maxKeys = maxKeys;
    this.#refuseWhenFull = whenFull === "refuse";
  }

  /** The number of keys held right now (expired ones may linger until swept). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Applies one GCRA step to `key` at `now`.
   *
   * @example
   * ```ts
   * store.consume("ip:10.0.0.1", { limit: 10, periodMs: 1000, burst: 10 }, 1, Date.now()).allowed;
   * ```
   */
  consume(key: string, policy: RateLimitPolicy, cost: number, now: number): RateLimitDecision {
    if (++this.#calls >= SWEEP_EVERY) {
      this.#calls = 0;
      this.#sweep(now, SWEEP_BATCH);
    }
    const entry = this.#entries.get(key);
    const { limit } = policy;
    const d = entry === undefined || entry.limit !== limit ? 0 : debtAt(entry.tat, entry.rem, now, limit);
    const decision = decide(d, policy, cost);
    if (decision.allowed && cost > 0) {
      const next = d + cost * policy.periodMs;
      const ahead = floorDiv(next, limit);
      if (entry === undefined) {
        this.#makeRoom(now);
        this.#entries.set(key, { tat: now + ahead, rem: next - ahead * limit, limit });
      } else {
        entry.tat = now + ahead;
        entry.rem = next - ahead * limit;
        entry.limit = limit;
      }
    }
    return decision;
  }

  /**
   * Forgets `key`.
   *
   * @example
   * ```ts
   * store.delete("login:ada@example.com");
   * ```
   */
  delete(key: string): void {
    this.#entries.delete(key);
  }

  #makeRoom(now: number): void {
    if (this.#entries.size < this.#maxKeys) return;
    this.#sweep(now, SWEEP_BATCH * 2);
    if (this.#entries.size < this.#maxKeys) return;
    if (this.#refuseWhenFull) {
      throw new RateLimitError("store_full", `the memory store holds its maximum of ${this.#maxKeys} keys`);
    }
    const oldest = this.#entries.keys().next();
    if (oldest.done !== true) this.#entries.delete(oldest.value);
  }

  /** Looks at up to `batch` keys, resuming where the last sweep stopped, and drops expired ones. */
  #sweep(now: number, batch: number): void {
    for (let i = 0; i < batch && this.#entries.size > 0; i++) {
      this.#sweeper ??= this.#entries.entries();
      const step = this.#sweeper.next();
      if (step.done === true) {
        this.#sweeper = undefined;
        continue;
      }
      const [key, entry] = step.value;
      if (debtAt(entry.tat, entry.rem, now, entry.limit) === 0) this.#entries.delete(key);
    }
  }
}

import type { User } from "@mpvstream/core";
import type { UserStore } from "./users.js";

/**
 * A short-lived cache of users for `GET /me`, the hottest authenticated read: an entry is dropped
 * by every balance change made through this instance or announced by another one (Redis
 * fan-out), and in any case re-read after `ttlMs`.
 */
export class UserCache {
  readonly #users: UserStore;
  readonly #ttlMs: number;
  readonly #clock: () => number;
  readonly #entries = new Map<string, { user: User; at: number }>();
  readonly #max: number;

  /** Creates the cache over the user store. */
  constructor(users: UserStore, options: { ttlMs: number; clock: () => number; max?: number }) {
    this.#users = users;
    this.#ttlMs = options.ttlMs;
    this.#clock = options.clock;
    this.#max = options.max ?? 50_000;
  }

  /** The cached user when read less than `ttlMs` ago, without waiting for anything; else `undefined`. */
  peek(id: string): User | undefined {
    const entry = this.#entries.get(id);
    return entry !== undefined && this.#clock() - entry.at < this.#ttlMs ? entry.user : undefined;
  }

  /** The user, from the cache when read less than `ttlMs` ago. */
  async get(id: string): Promise<User | undefined> {
    const now = this.#clock();
    const entry = this.#entries.get(id);
    if (entry !== undefined && now - entry.at < this.#ttlMs) return entry.user;
    const user = await this.#users.get(id);
    if (user === undefined) {
      this.#entries.delete(id);
      return undefined;
    }
    if (this.#entries.size >= this.#max) this.#entries.clear();
    this.#entries.set(id, { user, at: now });
    return user;
  }

  /** Forgets a user whose balance changed (here or on another instance). */
  invalidate(id: string): void {
    this.#entries.delete(id);
  }
}

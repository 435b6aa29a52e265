import type { SessionRecord } from "../store/sessions.js";

/** What the gate knows about one playback session. */
export interface CachedSession {
  /** Session id. */
  readonly id: string;
  /** Owner. */
  readonly userId: string;
  /** The stream it plays. */
  readonly streamId: string;
  /** End of the paid time, ms since the epoch. */
  readonly expiresAt: number;
  /** When it was stopped or revoked, or `null` while it runs. */
  readonly endedAt: number | null;
  /** Why it ended. */
  readonly endReason: "stopped" | "revoked" | null;
}

/**
 * The read side of the session cache, which the `/play` gate (issue 8) uses: no store query per
 * segment, and every start, renew, stop and revoke (of this instance, or of others through Redis)
 * is visible at once.
 */
export interface SessionCacheReader {
  /** The session, or `undefined` when this instance has never heard of it (or forgot it after expiry). */
  get(id: string): CachedSession | undefined;
  /** Whether the gate may serve the session at `now`: known, not ended, and `now <= expiresAt + grace`. */
  isActive(id: string, now?: number): boolean;
  /** Calls `listener` after every change; returns the function that unsubscribes. */
  subscribe(listener: (session: CachedSession) => void): () => void;
}

/** Options of a {@link SessionCache}. */
export interface SessionCacheOptions {
  /** Milliseconds a session stays servable after `expiresAt`. */
  graceMs: number;
  /** Milliseconds clock. */
  clock?: () => number;
}

/**
 * The in-process session cache: session id to owner, stream, expiry and end. Changes only move
 * forward (a later expiry, an end), so a message that arrives late or twice changes nothing.
 *
 * @example
 * ```ts
 * const cache = new SessionCache({ graceMs: 10_000 });
 * cache.apply(record);
 * cache.isActive(record.id); // true until expiresAt + 10 s, false at once after stop or revoke
 * ```
 */
export class SessionCache implements SessionCacheReader {
  readonly #entries = new Map<string, CachedSession>();
  readonly #listeners = new Set<(session: CachedSession) => void>();
  readonly #graceMs: number;
  readonly #clock: () => number;

  /** Creates an empty cache. */
  constructor(options: SessionCacheOptions) {
    this.#graceMs = options.graceMs;
    this.#clock = options.clock ?? Date.now;
  }

  /** Number of sessions held. */
  get size(): number {
    return this.#entries.size;
  }

  /** {@inheritDoc SessionCacheReader.get} */
  get(id: string): CachedSession | undefined {
    return this.#entries.get(id);
  }

  /** {@inheritDoc SessionCacheReader.isActive} */
  isActive(id: string, now: number = this.#clock()): boolean {
    const entry = this.#entries.get(id);
    return entry !== undefined && entry.endedAt === null && now <= entry.expiresAt + this.#graceMs;
  }

  /** {@inheritDoc SessionCacheReader.subscribe} */
  subscribe(listener: (session: CachedSession) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Merges a session change; resolves with whether anything changed. */
  apply(session: CachedSession | SessionRecord): boolean {
    const next: CachedSession = {
      id: session.id,
      userId: session.userId,
      streamId: session.streamId,
      expiresAt: session.expiresAt,
      endedAt: session.endedAt,
      endReason: session.endReason,
    };
    const current = this.#entries.get(next.id);
    if (current !== undefined) {
      const endedAt = current.endedAt ?? next.endedAt;
      const merged: CachedSession = {
        ...current,
        expiresAt: Math.max(current.expiresAt, next.expiresAt),
        endedAt,
        endReason: current.endReason ?? next.endReason,
      };
      if (merged.expiresAt === current.expiresAt && merged.endedAt === current.endedAt) return false;
      this.#entries.set(next.id, merged);
      this.#emit(merged);
      return true;
    }
    this.#entries.set(next.id, next);
    this.#emit(next);
    return true;
  }

  /** Forgets sessions whose time (plus grace) ended more than `keepMs` ago. */
  prune(keepMs = 60_000, now: number = this.#clock()): number {
    let removed = 0;
    for (const [id, entry] of this.#entries) {
      const over = Math.min(entry.endedAt ?? Number.POSITIVE_INFINITY, entry.expiresAt + this.#graceMs);
      if (now - over > keepMs) {
        this.#entries.delete(id);
        removed++;
      }
    }
    return removed;
  }

  #emit(session: CachedSession): void {
    for (const listener of this.#listeners) {
      try {
        listener(session);
      } catch {
        // A failing listener must not stop the others or the caller.
      }
    }
  }
}

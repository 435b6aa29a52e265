import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { CachedSession, SessionCache } from "./cache.js";

/** Carries session changes to the other instances. */
export interface SessionFanout {
  /** Publishes a change made by this instance. */
  publish(session: CachedSession): void;
  /** Tells the other instances that a user's balance changed (they drop their cached copy). */
  publishUser(userId: string): void;
  /** Stops listening. */
  close(): Promise<void>;
}

/** One instance, nothing to carry: the in-memory default. */
export const localFanout: SessionFanout = {
  publish() {},
  publishUser() {},
  async close() {},
};

/** Options of {@link redisFanout}. */
export interface RedisFanoutOptions {
  /** A connected client for publishing (shared with the limiter). */
  publisher: Redis;
  /** A dedicated client for subscribing (a subscribed connection can do nothing else). */
  subscriber: Redis;
  /** The cache that remote changes go into. */
  cache: SessionCache;
  /** The pub/sub channel. */
  channel: string;
  /** Reloads recent sessions from the store; called after (re)subscribing, so nothing missed while Redis was away stays missed. */
  resync: () => Promise<void>;
  /** Called with the id of a user changed by another instance. */
  onUser?: (userId: string) => void;
  /** Called with errors (publish failures, bad messages). */
  onError: (error: unknown) => void;
}

/**
 * Session fan-out over Redis pub/sub: every change is published with this instance's id, and
 * changes from other instances are merged into the cache.
 */
export async function redisFanout(options: RedisFanoutOptions): Promise<SessionFanout> {
  const { publisher, subscriber, cache, channel, resync, onError } = options;
  const instance = randomUUID();
  subscriber.on("message", (from: string, message: string) => {
    if (from !== channel) return;
    try {
      const parsed = JSON.parse(message) as { from: string; session?: CachedSession; user?: string };
      if (parsed.from === instance) return;
      if (typeof parsed.user === "string") {
        options.onUser?.(parsed.user);
        return;
      }
      const s = parsed.session;
      if (typeof s?.id !== "string" || typeof s.expiresAt !== "number")
        throw new Error("malformed session message");
      cache.apply(s);
    } catch (error) {
      onError(error);
    }
  });
  // ioredis re-subscribes by itself after a reconnect; reload what may have been missed meanwhile.
  subscriber.on("ready", () => {
    resync().catch(onError);
  });
  subscriber.subscribe(channel).catch(onError);
  return {
    publish(session) {
      publisher.publish(channel, JSON.stringify({ from: instance, session })).catch(onError);
    },
    publishUser(userId) {
      publisher.publish(channel, JSON.stringify({ from: instance, user: userId })).catch(onError);
    },
    async close() {
      subscriber.disconnect();
    },
  };
}

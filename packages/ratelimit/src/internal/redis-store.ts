import { RateLimitError } from "../errors.js";
import type { RateLimitDecision, RateLimitPolicy, RateLimitStore } from "../types.js";
import { decide, reduce } from "./gcra.js";
import { GCRA_LUA, GCRA_SHA } from "./lua.js";

/**
 * The part of an ioredis 5 client (`new Redis(...)`) that the store uses.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * const client: IoRedisClient = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
 * ```
 */
export interface IoRedisClient {
  /** ioredis connection status; the store only sends when it is `"ready"`. */
  readonly status: string;
  /** Runs a loaded script. */
  evalsha(sha: string, numKeys: number, ...args: string[]): Promise<unknown>;
  /** Runs (and loads) a script. */
  eval(script: string, numKeys: number, ...args: string[]): Promise<unknown>;
  /** Deletes keys. */
  del(...keys: string[]): Promise<number>;
}

/**
 * The part of a node-redis 5 client (`createClient(...)`, connected) that the store uses.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const client: NodeRedisClient = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * ```
 */
export interface NodeRedisClient {
  /** Whether the socket is connected and ready; the store only sends when it is. */
  readonly isReady: boolean;
  /** Sends one raw command. */
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * Options of a {@link RedisStore}.
 *
 * @example
 * ```ts
 * const options: RedisStoreOptions = { client, prefix: "rl:", timeoutMs: 250 };
 * ```
 */
export interface RedisStoreOptions {
  /** A connected ioredis 5 or node-redis 5 client that the application already has. */
  readonly client: IoRedisClient | NodeRedisClient;
  /** Prefix of every key this store writes (default `"rl:"`). */
  readonly prefix?: string;
  /** How long one decision may wait for Redis before it counts as a store failure (default 500 ms). */
  readonly timeoutMs?: number;
}

interface Prepared {
  readonly reduced: RateLimitPolicy;
  readonly args: readonly string[];
}

const isIoRedis = (client: IoRedisClient | NodeRedisClient): client is IoRedisClient =>
  typeof (client as IoRedisClient).evalsha === "function" &&
  typeof (client as IoRedisClient).status === "string";

const isNoScript = (error: unknown): boolean =>
  error instanceof Error && error.message.startsWith("NOSCRIPT");

/**
 * A store in Redis shared by every instance: one atomic Lua script and one round trip per
 * decision, timed by the Redis server's clock. It never queues: when the client is not
 * ready the decision fails at once, and a slow answer fails after `timeoutMs`; the limiter's
 * `failure` policy then decides.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * const store = new RedisStore({ client: new Redis({ enableOfflineQueue: false }), timeoutMs: 250 });
 * const limiter = new RateLimiter({ limit: 5, periodMs: 60_000, store, failure: "closed" });
 * ```
 */
export class RedisStore implements RateLimitStore {
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #send: (script: boolean, key: string, args: string[]) => Promise<unknown>;
  readonly #delete: (key: string) => Promise<unknown>;
  readonly #ready: () => boolean;
  #lastPolicy: RateLimitPolicy | undefined;
  #prepared: Prepared = { reduced: { limit: 1, periodMs: 1, burst: 1 }, args: [] };

  /**
   * Wraps a client; throws `invalid_options` when it is neither ioredis nor node-redis.
   *
   * @example
   * ```ts
   * const store = new RedisStore({ client, prefix: "myapp:rl:" });
   * ```
   */
  constructor(options: RedisStoreOptions) {
    const { client, prefix = "rl:", timeoutMs = 500 } = options;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
      throw new RateLimitError(
        "invalid_options",
        `timeoutMs must be a whole number >= 1, got ${String(timeoutMs)}`,
      );
    }
    this.#prefix = prefix;
    this.#timeoutMs = timeoutMs;
    if (isIoRedis(client)) {
      this.#ready = () => client.status === "ready";
      this.#send = (script, key, args) =>
        script ? client.eval(GCRA_LUA, 1, key, ...args) : client.evalsha(GCRA_SHA, 1, key, ...args);
      this.#delete = (key) => client.del(key);
    } else if (typeof (client as NodeRedisClient | undefined)?.sendCommand === "function") {
      this.#ready = () => client.isReady;
      this.#send = (script, key, args) =>
        client.sendCommand(
          script ? ["EVAL", GCRA_LUA, "1", key, ...args] : ["EVALSHA", GCRA_SHA, "1", key, ...args],
        );
      this.#delete = (key) => client.sendCommand(["DEL", key]);
    } else {
      throw new RateLimitError("invalid_options", "client must be an ioredis 5 or node-redis 5 client");
    }
  }

  /**
   * Applies one GCRA step to `key` in Redis (`now` is ignored: the server's clock decides).
   *
   * @example
   * ```ts
   * await store.consume("ip:10.0.0.1", { limit: 10, periodMs: 1000, burst: 10 }, 1, Date.now());
   * ```
   */
  consume(key: string, policy: RateLimitPolicy, cost: number, _now: number): Promise<RateLimitDecision> {
    const { reduced, args: policyArgs } = this.#prepare(policy);
    const args = [policyArgs[0] as string, policyArgs[1] as string, String(cost * reduced.periodMs)];
    const fullKey = this.#prefix + key;
    return this.#run(
      () =>
        this.#send(false, fullKey, args).catch((error: unknown) => {
          if (!isNoScript(error)) throw error;
          return this.#send(true, fullKey, args);
        }),
      (reply) => {
        const debt = Number(reply);
        if (!Number.isSafeInteger(debt) || debt < 0) {
          throw new RateLimitError("store_unavailable", "unexpected reply from the rate limit script", {
            cause: reply,
          });
        }
        return decide(debt, reduced, cost, policy.limit);
      },
    );
  }

  /**
   * Deletes `key` from Redis.
   *
   * @example
   * ```ts
   * await store.delete("login:ada@example.com");
   * ```
   */
  async delete(key: string): Promise<void> {
    await this.#run(
      () => this.#delete(this.#prefix + key),
      () => undefined,
    );
  }

  /** The reduced policy and its script arguments; the last policy's are reused. */
  #prepare(policy: RateLimitPolicy): Prepared {
    if (policy !== this.#lastPolicy) {
      const reduced = reduce(policy);
      this.#lastPolicy = policy;
      this.#prepared = {
        reduced,
        args: [String(reduced.limit), String(policy.burst * reduced.periodMs)],
      };
    }
    return this.#prepared;
  }

  /**
   * Runs `task` if the client is ready and maps its reply with `map`, failing with
   * `store_timeout` after `timeoutMs`.
   */
  #run<T>(task: () => Promise<unknown>, map: (reply: unknown) => T): Promise<T> {
    if (!this.#ready()) {
      return Promise.reject(new RateLimitError("store_unavailable", "the Redis client is not connected"));
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new RateLimitError("store_timeout", `Redis did not answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      timer.unref();
      task().then(
        (reply) => {
          clearTimeout(timer);
          try {
            resolve(map(reply));
          } catch (error) {
            reject(error);
          }
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}

import type { Role } from "@mpvstream/core";
import type { AccessTokens } from "@mpvstream/token";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { PasswordCost } from "../auth/passwords.js";
import type { ServerConfig } from "../config.js";
import type { Database } from "../db/database.js";
import type { Limiters } from "../limits/limits.js";
import type { ErrorLog } from "../monitoring/errors.js";
import type { Metrics } from "../monitoring/metrics.js";
import type { Billing } from "../playback/billing.js";
import type { SessionCache } from "../sessions/cache.js";
import type { IdempotencyStore } from "../store/idempotency.js";
import type { StreamStore } from "../store/streams.js";
import type { UserCache } from "../store/user-cache.js";
import type { UserStore } from "../store/users.js";
import type { StreamController } from "../streams/controller.js";

/** Everything the routes need, built once by `createApp`. */
export interface AppContext {
  config: ServerConfig;
  clock: () => number;
  db: Database;
  users: UserStore;
  /** Users as `GET /me` reads them: cached briefly, updated on every balance change. */
  userCache: UserCache;
  /** Drops the cached copy of a user whose balance this instance changed, here and on the other instances. */
  balanceChanged(userId: string, balance: number): void;
  streams: StreamStore;
  idempotency: IdempotencyStore;
  billing: Billing;
  sessions: SessionCache;
  controller: StreamController;
  tokens: AccessTokens<Role>;
  limiters: Limiters;
  errors: ErrorLog;
  metrics: Metrics;
  logger: Logger;
  passwordCost: PasswordCost;
  /** The Redis client of the limiters and the fan-out, when `REDIS_URL` is set. */
  redis: Redis | undefined;
  /** The public base URL (known only after listening when the port is 0). */
  publicUrl: () => string;
}

/** Who made an authenticated request. */
export interface Caller {
  userId: string;
  role: Role;
}

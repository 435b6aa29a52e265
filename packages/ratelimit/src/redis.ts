export type { IoRedisClient, NodeRedisClient, RedisStoreOptions } from "./internal/redis-store.js";
export { RedisStore } from "./internal/redis-store.js";

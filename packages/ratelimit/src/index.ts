export type { RateLimitErrorCode } from "./errors.js";
export { isRateLimitError, RateLimitError } from "./errors.js";
export type { RateLimiterOptions } from "./limiter.js";
export { RateLimiter } from "./limiter.js";
export type { MemoryStoreOptions } from "./memory-store.js";
export { MemoryStore } from "./memory-store.js";
export type { Clock, RateLimitDecision, RateLimitPolicy, RateLimitStore } from "./types.js";

export { createClient } from "./internal/client.js";
export {
  type ClientErrorCode,
  isProblemError,
  ProblemError,
  type ProblemErrorOptions,
} from "./internal/errors.js";
export { MemoryTokenStore, type TokenStore, type Tokens } from "./internal/tokens.js";
export type {
  CallOptions,
  ClientOptions,
  IdempotentCallOptions,
  MpvstreamClient,
  RetryOptions,
} from "./internal/types.js";

export {
  ACCESS_TOKEN_TYPE,
  type AccessClaims,
  type AccessTokenCacheStats,
  type AccessTokenOptions,
  type AccessTokens,
  createAccessTokens,
  type SignedAccessToken,
} from "./internal/access.js";
export { isTokenError, TokenError, type TokenErrorCode } from "./internal/errors.js";
export { KeySet, type KeySetJson, type PublicJwks } from "./internal/key-set.js";
export {
  type GenerateKeyOptions,
  generateSigningKey,
  importSigningKey,
  type PrivateJwk,
  type SigningAlgorithm,
  SigningKey,
} from "./internal/keys.js";

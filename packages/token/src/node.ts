export { isTokenError, TokenError, type TokenErrorCode } from "./internal/errors.js";
export {
  checkRefreshToken,
  createRefreshToken,
  hashRefreshToken,
  type RefreshToken,
  type RefreshTokenRecord,
  type RefreshTokenStore,
  rotateRefreshToken,
  verifyRefreshToken,
} from "./internal/refresh.js";
export {
  createUrlSigner,
  type SignUrlOptions,
  type UrlSigner,
  type UrlSignerOptions,
  type VerifiedUrl,
} from "./internal/signed-url.js";

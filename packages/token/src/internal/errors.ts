/**
 * Every way a token, key or signed URL can be refused.
 *
 * - `malformed`: not a well-formed compact JWS / signed URL (checked before any parsing).
 * - `alg_not_allowed`: the header names an algorithm outside the allowlist or other than the one
 *   the selected key is bound to.
 * - `unknown_key`: no `kid`, or a `kid` that is not (or no longer) in the key set.
 * - `bad_signature`: the signature does not verify.
 * - `wrong_type`: the `typ` header is not the one of this token kind.
 * - `expired`, `not_yet_valid`: outside the validity window (leeway included).
 * - `wrong_issuer`, `wrong_audience`: `iss` / `aud` missing or not the expected value.
 * - `missing_claim`, `invalid_claim`: a required claim is absent or has the wrong shape.
 * - `revoked`: the caller's deny hook refused the token.
 * - `refresh_reused`: a refresh token that was already rotated was presented again.
 * - `refresh_unknown`: a refresh token that the store does not know.
 * - `bad_path`: a signed-URL path with `..`, encoded dots or slashes, backslashes or NUL.
 * - `invalid_key`: a key or key set that cannot be imported.
 * - `invalid_options`: a programming error in the options given to this package.
 */
export type TokenErrorCode =
  | "malformed"
  | "alg_not_allowed"
  | "unknown_key"
  | "bad_signature"
  | "wrong_type"
  | "expired"
  | "not_yet_valid"
  | "wrong_issuer"
  | "wrong_audience"
  | "missing_claim"
  | "invalid_claim"
  | "revoked"
  | "refresh_reused"
  | "refresh_unknown"
  | "bad_path"
  | "invalid_key"
  | "invalid_options";

/**
 * The one error class of `@mpvstream/token`: a stable `code`, a message for logs, extra data on
 * `cause`. Messages never contain the token itself.
 *
 * @example
 * ```ts
 * try {
 *   await tokens.verify(bearer);
 * } catch (error) {
 *   if (isTokenError(error) && error.code === "expired") return reply401("token expired");
 *   throw error;
 * }
 * ```
 */
export class TokenError extends Error {
  /** Always `"TokenError"`, so that {@link isTokenError} works across duplicate installs. */
  override readonly name = "TokenError";
  /** Why the token, key or URL was refused. */
  readonly code: TokenErrorCode;

  /**
   * Creates an error with a code and a message; `cause` carries the underlying error or data.
   *
   * @example
   * ```ts
   * throw new TokenError("expired", "access token expired");
   * ```
   */
  constructor(code: TokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Tells whether a value is a {@link TokenError} (duck-typed on `name` and `code`, because
 * `instanceof` fails across duplicate installs).
 *
 * @example
 * ```ts
 * if (isTokenError(error) && error.code === "refresh_reused") await revokeFamily(family);
 * ```
 */
export function isTokenError(value: unknown): value is TokenError {
  return (
    value instanceof Error &&
    value.name === "TokenError" &&
    typeof (value as { code?: unknown }).code === "string"
  );
}

/**
 * The stable codes a {@link RateLimitError} carries.
 *
 * - `invalid_options`: a limiter, store or middleware was built with bad options.
 * - `invalid_cost`: a cost that is not a whole number from 0 to the burst.
 * - `rate_limited`: {@link RateLimiter.enforce} refused the request; the decision is on `cause`.
 * - `store_unavailable`: the store failed and the limiter fails closed; the store's error is on `cause`.
 * - `store_timeout`: the store did not answer within its timeout.
 * - `store_full`: the memory store is at `maxKeys` and was told to refuse new keys.
 *
 * @example
 * ```ts
 * const code: RateLimitErrorCode = "store_unavailable";
 * ```
 */
export type RateLimitErrorCode =
  | "invalid_options"
  | "invalid_cost"
  | "rate_limited"
  | "store_unavailable"
  | "store_timeout"
  | "store_full";

/**
 * The one error class of this package: a stable `code`, extra data on `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await limiter.enforce(`login:${email}`);
 * } catch (error) {
 *   if (isRateLimitError(error) && error.code === "rate_limited") console.log(error.cause);
 * }
 * ```
 */
export class RateLimitError extends Error {
  /** Always `"RateLimitError"`, also across duplicate installs (see {@link isRateLimitError}). */
  override readonly name = "RateLimitError" as const;
  /** What went wrong, stable across versions. */
  readonly code: RateLimitErrorCode;

  /**
   * Creates an error with a code, a message and optional extra data on `cause`.
   *
   * @example
   * ```ts
   * new RateLimitError("invalid_cost", "cost must be a whole number", { cause: { cost: -1 } });
   * ```
   */
  constructor(code: RateLimitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

const CODES: ReadonlySet<string> = new Set<RateLimitErrorCode>([
  "invalid_options",
  "invalid_cost",
  "rate_limited",
  "store_unavailable",
  "store_timeout",
  "store_full",
]);

/**
 * Tells whether a value is a {@link RateLimitError}, duck-typed on `name` and `code` so that it
 * also holds for errors from another copy of this package.
 *
 * @example
 * ```ts
 * if (isRateLimitError(error, "store_unavailable")) res.status(503);
 * ```
 */
export function isRateLimitError(value: unknown, code?: RateLimitErrorCode): value is RateLimitError {
  if (typeof value !== "object" || value === null) return false;
  const { name, code: actual } = value as { name?: unknown; code?: unknown };
  return (
    name === "RateLimitError" &&
    typeof actual === "string" &&
    CODES.has(actual) &&
    (code === undefined || actual === code)
  );
}

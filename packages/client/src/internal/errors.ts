import type { ErrorCode, Problem } from "@mpvstream/core";

/**
 * Every `code` a {@link ProblemError} can carry: the server's codes (`ErrorCode` of `@mpvstream/core`), plus the
 * client-side ones.
 *
 * - `network_error`: the request or its answer was lost (connection refused, reset, dropped mid-body),
 *   after the retries this call allows.
 * - `timeout`: an attempt got no complete answer within `timeoutMs`, or the caller's signal timed out.
 * - `aborted`: the caller's `AbortSignal` fired.
 * - `invalid_response`: the server answered something that breaks the contract: a success body that
 *   fails the core schema, a body that is not JSON, or an error that is not a problem document.
 * - `not_logged_in`: the call needs a user and the token store holds no tokens.
 */
export type ClientErrorCode =
  | ErrorCode
  | "network_error"
  | "timeout"
  | "aborted"
  | "invalid_response"
  | "not_logged_in";

/** What a {@link ProblemError} is built from besides its code and message. */
export interface ProblemErrorOptions {
  /** The HTTP status of the answer, when there was one. */
  readonly status?: number | undefined;
  /** The problem document the server sent, when it sent one. */
  readonly problem?: Problem | undefined;
  /** Milliseconds the server asked to wait (`Retry-After`), when it did. */
  readonly retryAfterMs?: number | undefined;
  /** The underlying error or data (a fetch error, the schema issues of a bad answer). */
  readonly cause?: unknown;
}

/**
 * The one error class of `@mpvstream/client`: every failed call rejects with one, carrying the
 * problem's `code` (or a client-side code), the HTTP `status` and the server's problem document.
 * Messages name the call and never contain tokens or passwords.
 *
 * @example
 * ```ts
 * try {
 *   await client.startPlayback({ stream_id: "demo" });
 * } catch (error) {
 *   if (isProblemError(error) && error.code === "insufficient_points") console.log("top up first");
 *   else throw error;
 * }
 * ```
 */
export class ProblemError extends Error {
  /** Always `"ProblemError"`, so that {@link isProblemError} works across duplicate installs. */
  override readonly name = "ProblemError";
  /** What went wrong: the server's problem code or a client-side code. */
  readonly code: ClientErrorCode;
  /** The HTTP status of the answer; `undefined` when no answer arrived or none was needed. */
  readonly status: number | undefined;
  /** The problem document (RFC 9457) the server answered with, if any. */
  readonly problem: Problem | undefined;
  /** How long the server asked the caller to wait before trying again (`Retry-After`), in ms. */
  readonly retryAfterMs: number | undefined;

  /**
   * Creates an error with a code, a message and what is known about the answer.
   *
   * @example
   * ```ts
   * throw new ProblemError("not_logged_in", "GET /me: log in first");
   * ```
   */
  constructor(code: ClientErrorCode, message: string, options: ProblemErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.problem = options.problem;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * Tells whether a value is a {@link ProblemError} (duck-typed on `name` and `code`, because
 * `instanceof` fails across duplicate installs).
 *
 * @example
 * ```ts
 * if (isProblemError(error) && error.code === "session_ended") stopPlayer();
 * ```
 */
export function isProblemError(value: unknown): value is ProblemError {
  return (
    value instanceof Error &&
    value.name === "ProblemError" &&
    typeof (value as { code?: unknown }).code === "string"
  );
}

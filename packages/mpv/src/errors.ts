/**
 * Every `code` an {@link MpvError} can carry, a closed list.
 *
 * @example
 * ```ts
 * MPV_ERROR_CODES.includes("ipc_timeout"); // true
 * ```
 */
export const MPV_ERROR_CODES = [
  "not_found",
  "too_old",
  "invalid_option",
  "start_failed",
  "ipc_timeout",
  "ipc_closed",
  "command_failed",
  "playback_ended",
] as const;

/**
 * Why an {@link MpvError} was thrown:
 * - `not_found`: no mpv binary at the given path or on `PATH`;
 * - `too_old`: the mpv found is older than this package needs;
 * - `invalid_option`: an option given to {@link launchMpv} or `loadfile` was refused before reaching mpv;
 * - `start_failed`: mpv exited (or never answered) before its IPC was ready;
 * - `ipc_timeout`: a request got no reply within its timeout;
 * - `ipc_closed`: the IPC connection closed (mpv quit or died) with the request pending;
 * - `command_failed`: mpv answered a command with an error;
 * - `playback_ended`: the file ended before the awaited state (first frame) was reached.
 */
export type MpvErrorCode = (typeof MPV_ERROR_CODES)[number];

/**
 * The one error class of `@mpvstream/mpv`: a stable `code`, a message for humans, details on `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await launchMpv({ args: ["--no-such-option"] });
 * } catch (error) {
 *   if (isMpvError(error) && error.code === "start_failed") console.error(error.message);
 * }
 * ```
 */
export class MpvError extends Error {
  /** The stable reason, one of {@link MPV_ERROR_CODES}. */
  readonly code: MpvErrorCode;

  /**
   * Creates an error; `cause` carries details such as mpv's output and exit code.
   *
   * @example
   * ```ts
   * throw new MpvError("ipc_closed", "mpv closed its IPC connection");
   * ```
   */
  constructor(code: MpvErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MpvError";
    this.code = code;
  }
}

/**
 * Tells whether a value is an {@link MpvError}, also across duplicate installs of this package.
 *
 * @example
 * ```ts
 * if (isMpvError(error, "not_found")) console.error("install mpv (apt install mpv)");
 * ```
 */
export function isMpvError(value: unknown, code?: MpvErrorCode): value is MpvError {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  return (
    candidate.name === "MpvError" &&
    typeof candidate.code === "string" &&
    (MPV_ERROR_CODES as readonly string[]).includes(candidate.code) &&
    (code === undefined || candidate.code === code)
  );
}

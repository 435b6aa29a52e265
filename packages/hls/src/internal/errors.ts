/**
 * Every failure this package reports, as a stable string.
 *
 * - `ffmpeg_not_found`: ffmpeg or ffprobe is not on PATH or at the given path.
 * - `file_not_found`: a file source (or VOD input) does not exist or is not readable.
 * - `input_unreachable`: a URL source could not be opened (refused, DNS, HTTP error).
 * - `input_invalid`: ffmpeg or ffprobe could not read the input (no streams, bad data).
 * - `port_in_use`: an RTMP or SRT listener port is already taken.
 * - `invalid_ladder`: the ABR ladder is empty, has duplicate names or bad sizes.
 * - `invalid_options`: another option is out of range (segment length, window, ...).
 * - `invalid_playlist`: text handed to the playlist parser is not an M3U8 playlist.
 * - `timeout`: ffprobe, a URL or the first playlist took longer than allowed.
 * - `ffmpeg_crashed`: ffmpeg exited on its own; its last lines are on `cause`.
 * - `gave_up`: the supervisor saw too many crashes in its window and stopped.
 * - `not_running`: a call needs a running pipeline.
 */
export type HlsErrorCode =
  | "ffmpeg_not_found"
  | "file_not_found"
  | "input_unreachable"
  | "input_invalid"
  | "port_in_use"
  | "invalid_ladder"
  | "invalid_options"
  | "invalid_playlist"
  | "timeout"
  | "ffmpeg_crashed"
  | "gave_up"
  | "not_running";

/**
 * The one error class of `@mpvstream/hls`: a literal `code`, a message for people, and
 * extra data (ffmpeg's last lines, the exit code, the path) on `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await findFfmpeg({ ffmpegPath: "/nope/ffmpeg" });
 * } catch (error) {
 *   if (isHlsError(error) && error.code === "ffmpeg_not_found") console.error(error.message);
 * }
 * ```
 */
export class HlsError extends Error {
  /** What went wrong, as a stable string to branch on. */
  readonly code: HlsErrorCode;

  /**
   * Creates an error with a code, a message, and optional data on `cause`.
   *
   * @example
   * ```ts
   * throw new HlsError("invalid_ladder", "the ladder is empty");
   * ```
   */
  constructor(code: HlsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HlsError";
    this.code = code;
  }
}

const codes: ReadonlySet<string> = new Set<HlsErrorCode>([
  "ffmpeg_not_found",
  "file_not_found",
  "input_unreachable",
  "input_invalid",
  "port_in_use",
  "invalid_ladder",
  "invalid_options",
  "invalid_playlist",
  "timeout",
  "ffmpeg_crashed",
  "gave_up",
  "not_running",
]);

/**
 * Tells whether a value is an {@link HlsError}, by `name` and `code` rather than
 * `instanceof` (which fails across duplicate installs of the package).
 *
 * @example
 * ```ts
 * pipeline.on("failed", (error) => {
 *   if (isHlsError(error)) console.error(error.code, error.message);
 * });
 * ```
 */
export function isHlsError(value: unknown): value is HlsError {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  return candidate.name === "HlsError" && typeof candidate.code === "string" && codes.has(candidate.code);
}

/**
 * Reads ffmpeg's last stderr lines and names the failure they describe, so that a bad
 * input becomes a clear code instead of a generic crash.
 */
export function classifyFfmpegFailure(lines: readonly string[]): HlsErrorCode {
  const text = lines.join("\n");
  if (/Address already in use/i.test(text)) return "port_in_use";
  if (/No such file or directory/i.test(text)) return "file_not_found";
  if (
    /Connection refused|Connection timed out|timed out|Server returned|Failed to resolve|Name or service not known|Network is unreachable|No route to host|Input\/output error|Connection reset/i.test(
      text,
    )
  ) {
    return "input_unreachable";
  }
  if (
    /Invalid data found|could not find codec|does not contain any stream|Output file #0 does not contain/i.test(
      text,
    )
  ) {
    return "input_invalid";
  }
  return "ffmpeg_crashed";
}

/**
 * The exit codes of `mpvstream`, documented in docs/player.md: scripts branch on them, so they
 * never change meaning.
 */
export const EXIT = {
  ok: 0,
  /** A bug or an answer nobody planned for; the message says so. */
  unexpected: 1,
  usage: 2,
  /** Not logged in, or the server refused the credentials. */
  auth: 3,
  outOfPoints: 4,
  /** No such stream, or it is not live. */
  stream: 5,
  /** mpv is missing, failed, or could not play the stream (load error, stall, unexpected end). */
  playback: 6,
  unreachable: 7,
  /** The server refused for now: too many sessions, rate limited, session revoked. */
  refused: 8,
  /** Stopped by SIGINT (Ctrl-C) or SIGTERM: 128 + the signal number, as shells do. */
  sigint: 130,
  sigterm: 143,
} as const;

/** One of the values of {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The one error class of the player: a sentence for the viewer and the exit code to leave with.
 * Never printed with a stack trace.
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** A short stable name for `--json` output (`not_logged_in`, `insufficient_points`, ...). */
  readonly code: string;

  constructor(exitCode: ExitCode, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliError";
    this.exitCode = exitCode;
    this.code = code;
  }
}

/**
 * Tells whether a value is a {@link CliError}, also one made by another copy of this module: the
 * start of the CLI and its lazily loaded commands are bundled apart (see tsup.config.ts).
 */
export function isCliError(value: unknown): value is CliError {
  return (
    value instanceof Error &&
    value.name === "CliError" &&
    typeof (value as { exitCode?: unknown }).exitCode === "number" &&
    typeof (value as { code?: unknown }).code === "string"
  );
}

/** A usage error: bad or missing arguments. */
export function usage(message: string): CliError {
  return new CliError(EXIT.usage, "usage", message);
}

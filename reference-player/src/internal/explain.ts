import { isProblemError } from "@mpvstream/client";
import { isMpvError } from "@mpvstream/mpv";
import { CliError, EXIT, isCliError } from "./exit.js";

/** What the explanation may mention: the server asked, and the stream in question. */
export interface ExplainContext {
  readonly server: string;
  readonly streamId?: string;
}

/**
 * Turns any failure into a {@link CliError}: a sentence a viewer understands and the exit code
 * for it. Server problems are explained from their stable `code`; the server's own `detail` is
 * appended when it adds something.
 */
export function explain(error: unknown, context: ExplainContext): CliError {
  if (isCliError(error)) return error;
  if (isProblemError(error)) {
    const detail = error.problem?.detail;
    const more = detail ? ` (${detail.replace(/\.$/, "")})` : "";
    const stream = context.streamId === undefined ? "the stream" : `the stream "${context.streamId}"`;
    switch (error.code) {
      case "network_error":
        return new CliError(
          EXIT.unreachable,
          "server_unreachable",
          `Cannot reach the mpvstream server at ${context.server}. Is it running, and is the address right? (set it with --server or MPVSTREAM_SERVER)`,
          { cause: error },
        );
      case "timeout":
        return new CliError(
          EXIT.unreachable,
          "server_timeout",
          `The mpvstream server at ${context.server} did not answer in time. Try again in a moment.`,
          { cause: error },
        );
      case "not_logged_in":
        return new CliError(EXIT.auth, "not_logged_in", "You are not logged in. Run: mpvstream login", {
          cause: error,
        });
      case "invalid_credentials":
        return new CliError(EXIT.auth, "invalid_credentials", "Wrong email or password.", { cause: error });
      case "invalid_token":
      case "unauthorized":
        return new CliError(
          EXIT.auth,
          "session_expired",
          "Your login has expired or was revoked. Run: mpvstream login",
          { cause: error },
        );
      case "forbidden":
        return new CliError(EXIT.auth, "forbidden", `The server refused this for your account${more}.`, {
          cause: error,
        });
      case "insufficient_points":
        return new CliError(
          EXIT.outOfPoints,
          "insufficient_points",
          `You do not have enough points to watch ${stream}${more}. Ask the operator to top up your account.`,
          { cause: error },
        );
      case "stream_not_found":
        return new CliError(
          EXIT.stream,
          "stream_not_found",
          `There is no stream "${context.streamId ?? "?"}". See: mpvstream streams`,
          {
            cause: error,
          },
        );
      case "stream_not_live":
        return new CliError(
          EXIT.stream,
          "stream_not_live",
          `${capital(stream)} is not live right now${more}.`,
          {
            cause: error,
          },
        );
      case "too_many_sessions":
        return new CliError(
          EXIT.refused,
          "too_many_sessions",
          "You are already watching as many streams as your account allows. Close another player first.",
          { cause: error },
        );
      case "rate_limited": {
        const wait =
          error.retryAfterMs === undefined ? "a moment" : `${Math.ceil(error.retryAfterMs / 1000)} s`;
        return new CliError(EXIT.refused, "rate_limited", `Too many requests: try again in ${wait}.`, {
          cause: error,
        });
      }
      case "session_ended":
      case "session_not_found":
        return new CliError(EXIT.refused, "session_ended", `The server ended your playback session${more}.`, {
          cause: error,
        });
      case "service_unavailable":
        return new CliError(
          EXIT.unreachable,
          "service_unavailable",
          `The mpvstream server at ${context.server} is up but not ready (its database may be down). Try again later.`,
          { cause: error },
        );
      default:
        return new CliError(
          EXIT.unexpected,
          error.code,
          `The server answered something unexpected (${error.code}${error.status === undefined ? "" : `, HTTP ${error.status}`})${more}.`,
          { cause: error },
        );
    }
  }
  if (isMpvError(error)) {
    switch (error.code) {
      case "not_found":
        return new CliError(
          EXIT.playback,
          "mpv_not_found",
          "mpv is not installed (or not on PATH). Install it: apt install mpv, brew install mpv, or see https://mpv.io/installation/",
          { cause: error },
        );
      case "too_old":
        return new CliError(EXIT.playback, "mpv_too_old", `${error.message}. Please upgrade mpv.`, {
          cause: error,
        });
      case "invalid_option":
        return new CliError(EXIT.usage, "invalid_mpv_option", `mpv option refused: ${error.message}`, {
          cause: error,
        });
      case "start_failed":
        return new CliError(
          EXIT.playback,
          "mpv_failed",
          `mpv did not start: ${error.message.replace(/^mpv /, "")}`,
          {
            cause: error,
          },
        );
      default:
        return new CliError(EXIT.playback, "mpv_failed", `mpv stopped responding (${error.message}).`, {
          cause: error,
        });
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(
    EXIT.unexpected,
    "unexpected",
    `Something went wrong inside mpvstream: ${message}. Please report it.`,
    { cause: error },
  );
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

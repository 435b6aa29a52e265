import { adoptMpv, launchMpv, type MpvLogger, type MpvPlayer } from "@mpvstream/mpv";
import { type Io, say } from "./io.js";
import type { PrestartedMpv } from "./prestarted.js";

/** What `play` needs of mpv before the stream is known. */
export interface PlayerOptions {
  /** Options passed to mpv as they are (`--volume=50`, `--vo=null`). */
  readonly mpvArgs: readonly string[];
  /** Seconds without data before a live stream counts as stalled (default 10). */
  readonly stallTimeoutS?: number | undefined;
  /** Print mpv's warnings on stderr. */
  readonly verbose?: boolean | undefined;
}

/**
 * Starts mpv idle (no window until a file is loaded), or adopts the one `bin/mpvstream` started
 * before Node (falling back to starting one if that mpv is gone or refused). `play` calls it
 * before loading the HTTP client, so that mpv's start-up runs beside Node's module loading,
 * credentials and stream lookup. The promise is already observed: a failure is handled where it
 * is awaited.
 */
export function startPlayer(
  io: Io,
  options: PlayerOptions,
  prestarted?: PrestartedMpv | undefined,
): Promise<MpvPlayer> {
  const stallTimeoutMs = (options.stallTimeoutS ?? 10) * 1000;
  const logger: MpvLogger | undefined = options.verbose
    ? { warn: (m: string) => say(io.stderr, m), error: (m: string) => say(io.stderr, m) }
    : undefined;
  const launch = () => launchMpv({ args: options.mpvArgs, stallTimeoutMs, ...(logger ? { logger } : {}) });
  const launching = prestarted
    ? adoptMpv(prestarted.socketPath, {
        pid: prestarted.pid,
        args: options.mpvArgs,
        stallTimeoutMs,
        ...(logger ? { logger } : {}),
      }).then(
        (player) => {
          prestarted.cleanUp();
          return player;
        },
        () => {
          // Whatever went wrong with it (an option mpv refused, say), starting mpv here says why.
          prestarted.discard();
          return launch();
        },
      )
    : launch();
  launching.catch(() => {});
  return launching;
}

/** Closes an mpv started by {@link startPlayer} that will not play (nothing if it failed to start). */
export async function discardPlayer(launching: Promise<MpvPlayer> | undefined): Promise<void> {
  await launching?.then(
    (player) => player.close({ timeoutMs: 1000 }),
    () => undefined,
  );
}

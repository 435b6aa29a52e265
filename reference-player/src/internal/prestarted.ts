import { readFileSync, rmSync } from "node:fs";
import path from "node:path";

/** The variable through which `bin/mpvstream` hands over the mpv it started: `<pid>:<directory>`. */
export const PRESTARTED_VARIABLE = "MPVSTREAM_PRESTARTED_MPV";

/**
 * An mpv that the `bin/mpvstream` launcher started before Node (idle, `setpriv --pdeathsig KILL`,
 * IPC at `<directory>/ipc`), for `play` to adopt instead of starting one.
 */
export interface PrestartedMpv {
  readonly pid: number;
  readonly socketPath: string;
  /** Removes the launcher's directory (the socket in it is no longer needed once connected). */
  cleanUp(): void;
  /** Stops that mpv and removes its directory: the command does not play, or plays another way. */
  discard(): void;
}

/**
 * Takes the launcher's mpv out of the environment (so that nothing started later inherits it).
 * Anything malformed is ignored: `play` then starts mpv itself.
 */
export function takePrestartedMpv(
  env: Readonly<Record<string, string | undefined>>,
): PrestartedMpv | undefined {
  const value = env[PRESTARTED_VARIABLE];
  if (value === undefined) return undefined;
  delete process.env[PRESTARTED_VARIABLE];
  const match = /^(\d+):(\/.+)$/.exec(value);
  if (!match?.[1] || !match[2]) return undefined;
  const pid = Number(match[1]);
  const dir = match[2];
  // Only a directory the launcher made (mktemp) is ever removed, and only our own child signalled:
  // the launcher's mpv is one, since the launcher's shell became this process by `exec`.
  if (!/^mpvstream-[A-Za-z0-9]+$/.test(path.basename(dir)) || parentOf(pid) !== process.pid) return undefined;
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  return {
    pid,
    socketPath: path.join(dir, "ipc"),
    cleanUp,
    discard() {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
      cleanUp();
    },
  };
}

/** The parent process id of `pid` (Linux `/proc`), or `undefined`. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

import { HlsError } from "./errors.js";
import { runProgram } from "./run.js";

/** One program found: where it is and the version it reports. */
export interface ProgramInfo {
  /** The path or command name it was started with. */
  path: string;
  /** The version from its first `-version` line, e.g. `5.1.9-0+deb12u1`. */
  version: string;
}

/** ffmpeg and ffprobe, as {@link findFfmpeg} found them. */
export interface FfmpegInfo {
  /** The encoder and packager. */
  ffmpeg: ProgramInfo;
  /** The stream inspector. */
  ffprobe: ProgramInfo;
}

/** Where to look for ffmpeg and ffprobe; both default to the names on PATH. */
export interface FindFfmpegOptions {
  /** Path to ffmpeg; defaults to `ffmpeg` on PATH. */
  ffmpegPath?: string;
  /** Path to ffprobe; defaults to `ffprobe` next to an explicit ffmpeg, else on PATH. */
  ffprobePath?: string;
}

const installHint =
  "install it with your OS package manager (Debian/Ubuntu: apt-get install ffmpeg; Fedora: dnf install ffmpeg; macOS: brew install ffmpeg) or pass its path";

async function versionOf(path: string, name: string): Promise<ProgramInfo> {
  const result = await runProgram(path, ["-hide_banner", "-version"], 10_000);
  if (result.spawnError || result.code !== 0) {
    const reason = result.spawnError?.code ?? `exit ${result.code}`;
    throw new HlsError("ffmpeg_not_found", `${name} not found at "${path}" (${reason}): ${installHint}`, {
      cause: { path, reason },
    });
  }
  const match = /version\s+(\S+)/.exec(result.stdout);
  return { path, version: match?.[1] ?? "unknown" };
}

function siblingProbe(ffmpegPath: string): string {
  const slash = ffmpegPath.lastIndexOf("/");
  if (slash < 0) return "ffprobe";
  const base = ffmpegPath.slice(slash + 1).replace(/ffmpeg/, "ffprobe");
  return `${ffmpegPath.slice(0, slash + 1)}${base === ffmpegPath.slice(slash + 1) ? "ffprobe" : base}`;
}

/**
 * Finds ffmpeg and ffprobe (on PATH or at the given paths) and reads their versions.
 * Rejects with `ffmpeg_not_found`, naming the OS package to install, when either is missing.
 *
 * @example
 * ```ts
 * const { ffmpeg, ffprobe } = await findFfmpeg();
 * console.log(ffmpeg.version, ffprobe.path);
 * ```
 */
export async function findFfmpeg(options: FindFfmpegOptions = {}): Promise<FfmpegInfo> {
  const ffmpegPath = options.ffmpegPath ?? "ffmpeg";
  const ffprobePath = options.ffprobePath ?? siblingProbe(ffmpegPath);
  const [ffmpeg, ffprobe] = await Promise.all([
    versionOf(ffmpegPath, "ffmpeg"),
    versionOf(ffprobePath, "ffprobe"),
  ]);
  return { ffmpeg, ffprobe };
}

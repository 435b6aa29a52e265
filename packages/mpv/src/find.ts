import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { access } from "node:fs/promises";
import * as path from "node:path";
import { MpvError } from "./errors.js";

/** The oldest mpv this package drives: named-argument commands and `loadfile` per-file options. */
export const MIN_MPV_VERSION = "0.32.0";

/** The first mpv that talks IPC over an inherited descriptor (`--input-ipc-client=fd://N`). */
export const IPC_CLIENT_FD_VERSION = "0.33.0";

/**
 * Where mpv was found and what it can do.
 */
export interface MpvInstallation {
  /** Absolute path of the binary. */
  readonly path: string;
  /** `major.minor.patch`, or `undefined` for a build whose version cannot be read (a git build). */
  readonly version: string | undefined;
  /** The first line of `mpv --version`. */
  readonly versionLine: string;
  /** Whether this mpv takes `--input-ipc-client=fd://N` (so it cannot outlive its parent). */
  readonly supportsIpcClientFd: boolean;
}

/** Options of {@link findMpv}. */
export interface FindMpvOptions {
  /** A path to the mpv binary; by default `mpv` is looked up on `PATH`. */
  readonly mpvPath?: string;
  /** The oldest version accepted; defaults to {@link MIN_MPV_VERSION}. */
  readonly minVersion?: string;
}

/**
 * Reads `major.minor.patch` from the first line of `mpv --version`, or `undefined` when it names none.
 *
 * @example
 * ```ts
 * parseMpvVersion("mpv 0.35.1 Copyright © 2000-2023"); // "0.35.1"
 * parseMpvVersion("mpv v0.38.0-dirty Copyright"); // "0.38.0"
 * ```
 */
export function parseMpvVersion(line: string): string | undefined {
  const match = /^mpv v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(line.trim());
  if (!match) return undefined;
  return `${match[1]}.${match[2]}.${match[3] ?? "0"}`;
}

/**
 * Compares two `major.minor.patch` versions: negative, zero or positive like a sort comparator.
 *
 * @example
 * ```ts
 * compareVersions("0.35.1", "0.33.0") > 0; // true
 * ```
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

const EXECUTABLE = process.platform === "win32" ? constants.F_OK : constants.X_OK;

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, EXECUTABLE);
    return true;
  } catch {
    return false;
  }
}

function isExecutableSync(file: string): boolean {
  try {
    accessSync(file, EXECUTABLE);
    return true;
  } catch {
    return false;
  }
}

/** Where `name` would be found on `PATH`, in order (with `PATHEXT` endings on Windows). */
function pathCandidates(name: string): string[] {
  const extensions =
    process.platform === "win32" ? (process.env.PATHEXT ?? ".EXE;.COM").split(";").concat("") : [""];
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir !== "")
    .flatMap((dir) => extensions.map((ext) => path.resolve(dir, name + ext.toLowerCase())));
}

function lookupSync(name: string): string | undefined {
  return pathCandidates(name).find(isExecutableSync);
}

async function lookup(name: string): Promise<string | undefined> {
  for (const candidate of pathCandidates(name)) if (await isExecutable(candidate)) return candidate;
  return undefined;
}

function versionLine(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, ["--no-config", "--version"], { timeout: 15_000, windowsHide: true }, (error, stdout) => {
      const first = stdout.split("\n", 1)[0]?.trim() ?? "";
      if (first.startsWith("mpv")) resolve(first);
      else reject(error ?? new Error(`unexpected output: ${first.slice(0, 200)}`));
    });
  });
}

/**
 * Where mpv is (an explicit path, or `PATH`), without running it. Synchronous (a few `access`
 * calls), so that {@link launchMpv} has spawned mpv by the time it returns its promise and the
 * caller's own start-up work overlaps mpv's.
 *
 * @internal
 * @throws {@link MpvError} `not_found`.
 */
export function locateMpv(mpvPath: string | undefined): string {
  const file = mpvPath !== undefined ? path.resolve(mpvPath) : lookupSync("mpv");
  if (file === undefined || !isExecutableSync(file)) throw notFound(mpvPath);
  return file;
}

function notFound(mpvPath: string | undefined): MpvError {
  return new MpvError(
    "not_found",
    mpvPath !== undefined
      ? `mpv not found at ${mpvPath}`
      : "mpv not found on PATH: install it (apt install mpv, brew install mpv, https://mpv.io/installation/) or pass mpvPath",
  );
}

/**
 * What an mpv that reported `line` (`mpv 0.35.1 ...`) can do, or `too_old` below `minVersion`.
 *
 * @internal
 */
export function installationOf(file: string, line: string, minVersion = MIN_MPV_VERSION): MpvInstallation {
  const version = parseMpvVersion(line);
  if (version !== undefined && compareVersions(version, minVersion) < 0) {
    throw new MpvError(
      "too_old",
      `mpv ${version} at ${file} is too old: @mpvstream/mpv needs mpv ${minVersion} or newer`,
      { cause: { path: file, version, minVersion } },
    );
  }
  const supportsIpcClientFd = version === undefined || compareVersions(version, IPC_CLIENT_FD_VERSION) >= 0;
  return { path: file, version, versionLine: line, supportsIpcClientFd };
}

/**
 * Finds mpv (an explicit path, or `PATH`), reads its version (`mpv --version`) and refuses one that
 * is too old. {@link launchMpv} does not need it: it reads the version over IPC once mpv runs.
 *
 * @throws {@link MpvError} `not_found` when there is no runnable mpv, `too_old` below `minVersion`.
 * @example
 * ```ts
 * const { path, version } = await findMpv();
 * console.log(`using ${path} (mpv ${version})`);
 * ```
 */
export async function findMpv(options: FindMpvOptions = {}): Promise<MpvInstallation> {
  const wanted = options.mpvPath;
  const file = wanted !== undefined ? path.resolve(wanted) : await lookup("mpv");
  if (file === undefined || !(await isExecutable(file))) throw notFound(wanted);
  let line: string;
  try {
    line = await versionLine(file);
  } catch (cause) {
    throw new MpvError("not_found", `${file} did not run as mpv: ${(cause as Error).message}`, { cause });
  }
  return installationOf(file, line, options.minVersion);
}

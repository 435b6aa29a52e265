import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { isMpvError, MpvError } from "./errors.js";
import { findMpv, installationOf, locateMpv, type MpvInstallation } from "./find.js";
import { validateArgs } from "./internal/args.js";
import { onProcessExit } from "./internal/cleanup.js";
import { IpcConnection } from "./internal/ipc.js";
import { exitOf, isRunning } from "./internal/process.js";
import { Redactor } from "./internal/redact.js";
import { connectWithRetry, privateSocket } from "./internal/socket.js";
import { MpvPlayer } from "./player.js";
import type { MpvLogger } from "./types.js";

/** Options of {@link launchMpv}. */
export interface LaunchOptions {
  /** Path to mpv; by default `mpv` on `PATH`. */
  readonly mpvPath?: string;
  /** What {@link findMpv} returned: mpv is started as it says, without checking its version again. */
  readonly installation?: MpvInstallation;
  /** Extra mpv options (`--vo=null`, `--volume=50`); files and URLs are refused: use `loadfile`. */
  readonly args?: readonly string[];
  /** Pass `--no-config` (ignore the user's mpv.conf and scripts); default false. */
  readonly noConfig?: boolean;
  /**
   * `socketpair` (default where mpv >= 0.33 and not Windows): IPC over an inherited descriptor,
   * no socket file, mpv quits with its parent. `socket`: a socket in a private 0700 directory
   * (a named pipe on Windows).
   */
  readonly ipc?: "socketpair" | "socket";
  /** Emit `stalled` after playback has waited for data this long; default 10000 ms. */
  readonly stallTimeoutMs?: number;
  /** How long mpv may take to answer over IPC after spawning; default 15000 ms. */
  readonly startTimeoutMs?: number;
  /** Default timeout of each IPC request; default 10000 ms. */
  readonly requestTimeoutMs?: number;
  /** Where to log (redacted); nothing is logged by default. */
  readonly logger?: MpvLogger;
}

/** Options of {@link adoptMpv}. */
export interface AdoptOptions extends AttachOptions {
  /** The mpv's process id: its liveness is read by it, and `close()` signals it if `quit` is not enough. */
  readonly pid: number;
  /**
   * The extra options that mpv was started with, checked as {@link launchMpv} checks its own: an
   * mpv started with a file, a URL or an option this package controls is refused (and stopped).
   */
  readonly args?: readonly string[];
}

/** Options of {@link attachMpv}. */
export interface AttachOptions {
  /** How long to keep retrying the connection; default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Emit `stalled` after playback has waited for data this long; default 10000 ms. */
  readonly stallTimeoutMs?: number;
  /** Default timeout of each IPC request; default 10000 ms. */
  readonly requestTimeoutMs?: number;
  /** Where to log (redacted). */
  readonly logger?: MpvLogger;
}

const OUTPUT_LIMIT = 8192;
const installations = new Map<string, Promise<MpvInstallation>>();

function cachedInstallation(mpvPath: string | undefined): Promise<MpvInstallation> {
  const key = mpvPath ?? "";
  let found = installations.get(key);
  if (!found) {
    found = findMpv(mpvPath === undefined ? {} : { mpvPath });
    installations.set(key, found);
    found.catch(() => installations.delete(key));
  }
  return found;
}

/**
 * Starts mpv idle with IPC, connects, and resolves with a {@link MpvPlayer} ready for `loadfile`:
 * no event can be missed, since nothing plays before you load it. Without `installation`, mpv's
 * version is read over IPC once it runs (its `mpv-version` property), so a launch costs one mpv
 * start-up, not two; `mpv --version` runs only when the start fails, to tell why.
 *
 * @throws {@link MpvError} `not_found`, `too_old`, `invalid_option`, or `start_failed` with mpv's
 * own message and exit code when it exits (or stays silent) before its IPC is ready.
 * @example
 * ```ts
 * const player = await launchMpv({ args: ["--vo=null", "--ao=null"], noConfig: true });
 * await player.loadfile("http://127.0.0.1:8080/live/index.m3u8");
 * console.log(await player.firstFrame());
 * await player.close();
 * ```
 */
export async function launchMpv(options: LaunchOptions = {}): Promise<MpvPlayer> {
  const userArgs = validateArgs(options.args ?? []);
  if (options.installation) return start(options.installation, userArgs, options, false);
  const found = installations.get(options.mpvPath ?? "");
  if (found) return start(await found, userArgs, options, false);
  // Assume an mpv recent enough for IPC over a descriptor and check once it runs.
  const assumed: MpvInstallation = {
    path: locateMpv(options.mpvPath),
    version: undefined,
    versionLine: "mpv",
    supportsIpcClientFd: true,
  };
  try {
    return await start(assumed, userArgs, options, true);
  } catch (error) {
    if (!isMpvError(error, "start_failed")) throw error;
    // Why did it fail: not an mpv at all, an mpv too old for our IPC (then start it over a
    // socket), or mpv refusing an option (its own message, in `error`)?
    const mpv = await cachedInstallation(options.mpvPath);
    if (mpv.supportsIpcClientFd || process.platform === "win32") throw error;
    return start(mpv, userArgs, options, false);
  }
}

/** Spawns mpv and connects; with `verify`, reads its version over IPC and refuses a too old one. */
async function start(
  mpv: MpvInstallation,
  userArgs: readonly string[],
  options: LaunchOptions,
  verify: boolean,
): Promise<MpvPlayer> {
  const canUseFd = mpv.supportsIpcClientFd && process.platform !== "win32";
  const mode = options.ipc ?? (canUseFd ? "socketpair" : "socket");
  if (mode === "socketpair" && !canUseFd) {
    throw new MpvError(
      "too_old",
      `IPC over a socketpair needs mpv 0.33.0 or newer on POSIX (found ${mpv.versionLine})`,
    );
  }
  const socket = mode === "socket" ? privateSocket() : undefined;
  // In socket mode the inherited descriptor still serves as a lifeline: mpv quits when we die.
  const args = [
    "--idle=yes",
    "--input-terminal=no",
    "--ytdl=no",
    "--msg-level=all=warn",
    ...(options.noConfig === true ? ["--no-config"] : []),
    ...(canUseFd ? ["--input-ipc-client=fd://3"] : []),
    ...(socket ? [`--input-ipc-server=${socket.socketPath}`] : []),
    ...userArgs,
  ];
  const redactor = new Redactor();
  const logger = options.logger;
  const launchedAt = performance.now();
  const child = spawn(mpv.path, args, {
    stdio: ["ignore", "pipe", "pipe", canUseFd ? "pipe" : "ignore"],
    windowsHide: true,
  });
  const unregister = onProcessExit(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    if (socket?.dir) rmSync(socket.dir, { recursive: true, force: true });
  });
  let output = "";
  const onOutput = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    output = (output + text).slice(-OUTPUT_LIMIT);
    for (const line of text.split("\n"))
      if (line.trim() !== "") logger?.debug?.(`mpv: ${redactor.redact(line)}`);
  };
  child.stdout?.on("data", onOutput).on("error", () => {});
  child.stderr?.on("data", onOutput).on("error", () => {});
  const lifeline = child.stdio[3] as Socket | null | undefined;
  lifeline?.on("error", () => {});

  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let spawnError: Error | undefined;
  child.once("error", (error) => {
    spawnError = error;
  });
  const fail = async (cause: unknown): Promise<never> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    if (socket?.dir) rmSync(socket.dir, { recursive: true, force: true });
    unregister();
    const said = redactor.redact(output.trim());
    const how =
      spawnError !== undefined
        ? `could not be started (${spawnError.message})`
        : child.exitCode !== null || child.signalCode !== null
          ? `exited with ${child.exitCode !== null ? `code ${child.exitCode}` : child.signalCode} before its IPC was ready`
          : `did not answer over IPC within ${options.startTimeoutMs ?? 15_000} ms`;
    throw new MpvError("start_failed", `mpv ${how}${said === "" ? "" : `: ${said}`}`, {
      cause: { exitCode: child.exitCode, signal: child.signalCode, output: said, error: cause },
    });
  };

  const deadline = launchedAt + (options.startTimeoutMs ?? 15_000);
  const alive = () => spawnError === undefined && child.exitCode === null && child.signalCode === null;
  let stream: Socket;
  try {
    if (socket) {
      lifeline?.resume(); // mpv writes events to every client: drain the lifeline's
      stream = await connectWithRetry(socket.socketPath, deadline, alive);
      // Connected: the path has served its purpose. Removing it now leaves nothing behind even if
      // this process is SIGKILLed later (mpv does not unlink its socket when it quits).
      if (socket.dir) rmSync(socket.dir, { recursive: true, force: true });
    } else if (lifeline) {
      stream = lifeline;
    } else {
      throw new Error("no IPC descriptor");
    }
  } catch (error) {
    return fail(error);
  }
  const ipc = new IpcConnection(stream, options.requestTimeoutMs ?? 10_000);
  const player = new MpvPlayer({
    ipc,
    redactor,
    logger,
    stallTimeoutMs: options.stallTimeoutMs ?? 10_000,
    child,
    launchedAt,
    ...(socket ? { socketPath: socket.socketPath } : {}),
    unregister,
  });
  let reported: unknown;
  try {
    [, reported] = await withDeadline(
      Promise.all([player.init(), verify ? player.get("mpv-version") : undefined]),
      deadline,
    );
  } catch (error) {
    ipc.close();
    return fail(error);
  }
  let versionLine = mpv.versionLine;
  if (verify) {
    versionLine = String(reported);
    try {
      installationOf(mpv.path, versionLine);
    } catch (error) {
      await player.close({ timeoutMs: 1000 });
      throw error;
    }
  }
  logger?.info?.(`mpv: started ${versionLine.split(" ").slice(0, 2).join(" ")} (pid ${child.pid})`);
  return player;
}

function withDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("start timeout")),
      Math.max(0, deadline - performance.now()),
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Connects to an mpv that is already running with `--input-ipc-server=<socketPath>`; `close()`
 * then only disconnects, `quit()` ends that mpv.
 *
 * @throws {@link MpvError} `start_failed` when nothing answers at the path in time.
 * @example
 * ```ts
 * const player = await attachMpv("/tmp/mpv.sock");
 * console.log(await player.get("media-title"));
 * await player.close();
 * ```
 */
export async function attachMpv(socketPath: string, options: AttachOptions = {}): Promise<MpvPlayer> {
  const deadline = performance.now() + (options.connectTimeoutMs ?? 5000);
  let stream: Socket;
  try {
    stream = await connectWithRetry(socketPath, deadline, () => true);
  } catch (cause) {
    throw new MpvError("start_failed", `no mpv answers at ${socketPath}: ${(cause as Error).message}`, {
      cause,
    });
  }
  const player = new MpvPlayer({
    ipc: new IpcConnection(stream, options.requestTimeoutMs ?? 10_000),
    redactor: new Redactor(),
    logger: options.logger,
    stallTimeoutMs: options.stallTimeoutMs ?? 10_000,
    socketPath,
  });
  try {
    await withDeadline(player.init(), deadline + (options.requestTimeoutMs ?? 10_000));
  } catch (cause) {
    await player.close();
    throw new MpvError("start_failed", `mpv at ${socketPath} did not answer: ${(cause as Error).message}`, {
      cause,
    });
  }
  return player;
}

/**
 * Takes over an mpv that another program started for this process: idle, with
 * `--input-ipc-server=<socketPath>`, a child of this process or not. The player then owns it as if
 * {@link launchMpv} had started it: `close()` quits it, then sends SIGTERM and SIGKILL by pid;
 * `exited()` resolves when it is gone (with its exit code where the system tells it: Linux, for a
 * child). The socket file is removed once connected.
 *
 * Use it to start mpv before your own process is up (a shell launcher that starts mpv and then
 * `exec`s Node): both start-ups then overlap. Make sure that mpv cannot outlive you, for example
 * with Linux's `setpriv --pdeathsig KILL`: nothing else ends it if you are killed.
 *
 * @throws {@link MpvError} `invalid_option` when `args` holds something {@link launchMpv} refuses,
 * `start_failed` when the process is gone or does not answer in time (that mpv is stopped).
 * @example
 * ```ts
 * const [pid, dir] = process.env.MY_MPV!.split(":");
 * const player = await adoptMpv(`${dir}/ipc`, { pid: Number(pid) });
 * await player.loadfile("http://127.0.0.1:8080/live/index.m3u8");
 * ```
 */
export async function adoptMpv(socketPath: string, options: AdoptOptions): Promise<MpvPlayer> {
  const { pid } = options;
  const stop = () => {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  try {
    validateArgs(options.args ?? []);
  } catch (error) {
    stop();
    throw error;
  }
  const deadline = performance.now() + (options.connectTimeoutMs ?? 15_000);
  let stream: Socket;
  try {
    // Polled closely at first: the caller is waiting for an mpv that is typically moments away.
    stream = await connectWithRetry(socketPath, deadline, () => isRunning(pid), 2);
    rmSync(socketPath, { force: true });
  } catch (cause) {
    stop();
    const exit = isRunning(pid) ? undefined : await exitOf(pid);
    const how =
      exit === undefined
        ? `did not answer at ${socketPath}`
        : `exited with ${exit.code !== null ? `code ${exit.code}` : exit.signal} before its IPC was ready`;
    throw new MpvError("start_failed", `mpv (pid ${pid}) ${how}`, { cause });
  }
  const unregister = onProcessExit(stop);
  const player = new MpvPlayer({
    ipc: new IpcConnection(stream, options.requestTimeoutMs ?? 10_000),
    redactor: new Redactor(),
    logger: options.logger,
    stallTimeoutMs: options.stallTimeoutMs ?? 10_000,
    adopted: { pid, exit: () => exitOf(pid) },
    unregister,
  });
  try {
    await withDeadline(player.init(), deadline + (options.requestTimeoutMs ?? 10_000));
  } catch (cause) {
    await player.close({ timeoutMs: 500 });
    throw new MpvError("start_failed", `mpv (pid ${pid}) did not answer: ${(cause as Error).message}`, {
      cause,
    });
  }
  return player;
}

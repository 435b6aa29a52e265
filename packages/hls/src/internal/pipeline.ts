import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { buildArgs, OUTPUT } from "./args.js";
import { CrashBackoff } from "./backoff.js";
import { classifyFfmpegFailure, HlsError } from "./errors.js";
import { findFfmpeg } from "./find.js";
import {
  type HlsPipelineOptions,
  livePlan,
  type Preflight,
  preflight,
  prepareOutputDir,
  type ResolvedOptions,
  resolveOptions,
} from "./plan.js";
import { parseMediaPlaylist } from "./playlist/parse.js";
import { newestSegment } from "./playlist/tools.js";
import { type Progress, progressParser } from "./progress.js";
import { lineSplitter } from "./run.js";

/** Where a pipeline is in its life. */
export type PipelineState = "idle" | "starting" | "live" | "backoff" | "stopping" | "stopped" | "failed";

/** A crash of ffmpeg, as reported by the `crash` event. */
export interface CrashInfo {
  /** ffmpeg's exit code (null when killed by a signal). */
  code: number | null;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  /** ffmpeg's last stderr lines (its error messages). */
  lastLines: string[];
  /** The restart happens after this delay. */
  restartInMs: number;
  /** Crashes counted in the supervisor's window, this one included. */
  crashes: number;
  /** The crash as a typed error (`file_not_found`, `input_unreachable`, `timeout`, `ffmpeg_crashed`, ...). */
  error: HlsError;
}

/** The events of an {@link HlsPipeline} and their arguments. */
export interface HlsPipelineEvents {
  /** ffmpeg was spawned (first start or restart). */
  start: [info: { pid: number; args: string[]; restart: boolean }];
  /** The entry playlist exists with enough segments (again after each restart). */
  ready: [info: { playlistPath: string; segments: number }];
  /** One `-progress` report. */
  progress: [progress: Progress];
  /** A new newest segment in the (first) media playlist. */
  segment: [info: { uri: string; sequence: number; duration: number; programDateTime?: string }];
  /** ffmpeg wrote a line on stderr (warnings and errors). */
  stderr: [line: string];
  /** ffmpeg died on its own; a restart is scheduled. */
  crash: [crash: CrashInfo];
  /** Too many crashes in the window: the supervisor gave up (code `gave_up`, the last crash on `cause`). */
  failed: [error: HlsError];
  /** ffmpeg exited: `stopped` on request, `ended` at the end of a non-looped file, `disconnected` when a publisher left (it listens again), `crashed`. */
  exit: [
    info: {
      code: number | null;
      signal: NodeJS.Signals | null;
      reason: "stopped" | "ended" | "disconnected" | "crashed";
    },
  ];
  /** Something worth knowing that is not an error (e.g. no font for the test pattern's clock). */
  warning: [message: string];
}

/**
 * A supervised live HLS packager: one ffmpeg process per stream, restarted with backoff when
 * it crashes. The entry playlist is always `<outputDir>/index.m3u8` (a master playlist when a
 * ladder is given).
 *
 * @example
 * ```ts
 * const pipeline = new HlsPipeline({ source: { kind: "test" }, outputDir: "/srv/hls/demo" });
 * pipeline.on("ready", ({ playlistPath }) => console.log("live at", playlistPath));
 * pipeline.on("crash", ({ lastLines, restartInMs }) => console.warn(lastLines.at(-1), restartInMs));
 * await pipeline.start();
 * await pipeline.whenReady();
 * await pipeline.stop();
 * ```
 */
export class HlsPipeline extends EventEmitter<HlsPipelineEvents> {
  /** The checked options with defaults filled in. */
  readonly options: Readonly<ResolvedOptions>;
  readonly #backoff: CrashBackoff;
  #state: PipelineState = "idle";
  #checked: Preflight | undefined;
  #ffprobePath = "ffprobe";
  #child: ChildProcess | undefined;
  #lastLines: string[] = [];
  #restartTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #readyTimer: NodeJS.Timeout | undefined;
  #ready = false;
  #baseline = -1;
  #newest = -1;
  #timedOut = false;
  #exited: Promise<void> = Promise.resolve();
  /** Set while `start()` waits for an unprobed source (SRT URL) to arrive: an exit rejects `start()`. */
  #inputGate: ((error: HlsError) => void) | undefined;

  /**
   * Checks the options (throws `invalid_options` or `invalid_ladder`); nothing runs until `start()`.
   *
   * @example
   * ```ts
   * const pipeline = new HlsPipeline({ source: { kind: "rtmp", port: 1935 }, outputDir: "/srv/hls/obs" });
   * ```
   */
  constructor(options: HlsPipelineOptions) {
    super();
    this.options = Object.freeze(resolveOptions(options));
    this.#backoff = new CrashBackoff(options.backoff, options.now);
  }

  /** Where the pipeline is: `idle`, `starting`, `live`, `backoff`, `stopping`, `stopped` or `failed`. */
  get state(): PipelineState {
    return this.#state;
  }

  /** The entry playlist: `<outputDir>/index.m3u8`. */
  get playlistPath(): string {
    return join(this.options.outputDir, OUTPUT.entry);
  }

  /** The running ffmpeg's process id, if one runs. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /**
   * Finds ffmpeg, checks the source (missing file, unreachable URL, port in use reject here
   * with their codes), clears the output directory and spawns ffmpeg. Resolves once ffmpeg
   * runs (for an `srt://` URL, once ffmpeg receives the stream); `ready` follows when the
   * playlist is playable. A `stop()` while these checks run wins: nothing is spawned and
   * `start()` rejects with `not_running`.
   *
   * @example
   * ```ts
   * await pipeline.start();
   * ```
   */
  async start(): Promise<void> {
    if (this.#state === "starting" || this.#state === "live" || this.#state === "backoff") return;
    this.#state = "starting";
    try {
      const found = await findFfmpeg({
        ffmpegPath: this.options.ffmpegPath,
        ...(this.options.ffprobePath ? { ffprobePath: this.options.ffprobePath } : {}),
      });
      this.#ffprobePath = found.ffprobe.path;
      this.#checked = await preflight(this.options, this.#ffprobePath);
      if (this.options.source.kind === "test" && this.#checked.fontFile === null) {
        this.emit("warning", "no drawtext filter or font found: the test pattern has no burned-in clock");
      }
      await prepareOutputDir(this.options.outputDir);
    } catch (error) {
      this.#state = "idle";
      throw error;
    }
    // stop() during the checks above found no ffmpeg to stop: it must not be spawned now.
    if (this.#state !== "starting") throw new HlsError("not_running", "stopped before ffmpeg started");
    this.#backoff.reset();
    this.#spawn(false);
    if (this.#checked.awaitInputMs !== undefined) await this.#awaitInput(this.#checked.awaitInputMs);
  }

  /**
   * Waits for ffmpeg's first progress report (it comes once the input is open and packets
   * flow). If ffmpeg exits first, or nothing arrives within `timeoutMs`, `start()` rejects
   * with the typed error and the pipeline is idle again: no crash, no restart.
   */
  #awaitInput(timeoutMs: number): Promise<void> {
    const child = this.#child;
    if (!child) return Promise.reject(new HlsError("not_running", "ffmpeg is not running"));
    return new Promise((resolve, reject) => {
      const finish = (error?: HlsError) => {
        clearTimeout(timer);
        this.off("progress", onProgress);
        this.#inputGate = undefined;
        if (error) reject(error);
        else resolve();
      };
      const onProgress = () => finish();
      this.#inputGate = finish;
      this.on("progress", onProgress);
      const timer = setTimeout(() => {
        if (this.#child !== child) return;
        this.#timedOut = true;
        this.#lastLines.push(`no input within ${timeoutMs} ms`);
        child.kill("SIGKILL");
      }, timeoutMs);
    });
  }

  /**
   * Resolves when the pipeline is (or becomes) ready; rejects on `failed`, on a stop, or
   * after `timeoutMs` (code `timeout`).
   *
   * @example
   * ```ts
   * await pipeline.start();
   * await pipeline.whenReady(20_000);
   * ```
   */
  whenReady(timeoutMs = 60_000): Promise<void> {
    if (this.#state === "live") return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (error?: HlsError) => {
        clearTimeout(timer);
        this.off("ready", onReady);
        this.off("failed", onFailed);
        this.off("exit", onExit);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      const onFailed = (error: HlsError) => done(error);
      const onExit = (info: { reason: string }) => {
        if (info.reason === "stopped" || info.reason === "ended") {
          done(new HlsError("not_running", `the pipeline ${info.reason} before it was ready`));
        }
      };
      const timer = setTimeout(
        () =>
          done(
            new HlsError("timeout", `not ready within ${timeoutMs} ms`, {
              cause: { lastLines: this.#lastLines },
            }),
          ),
        timeoutMs,
      );
      this.on("ready", onReady);
      this.on("failed", onFailed);
      this.on("exit", onExit);
    });
  }

  /**
   * Stops gracefully: SIGTERM lets ffmpeg finish the current segment and the playlist
   * (`EXT-X-ENDLIST`); SIGKILL follows after `timeoutMs` (default 5 s). A pending restart is
   * cancelled.
   *
   * @example
   * ```ts
   * await pipeline.stop({ timeoutMs: 3000 });
   * ```
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    const child = this.#child;
    if (!child) {
      if (this.#state !== "failed") this.#state = "stopped";
      return;
    }
    this.#state = "stopping";
    const exited = this.#exited;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 5_000);
    await exited;
    clearTimeout(killer);
  }

  /**
   * Stops ffmpeg gracefully and starts it again, continuing the same playlist (with a
   * discontinuity); forgets past crashes.
   *
   * @example
   * ```ts
   * await pipeline.restart();
   * ```
   */
  async restart(options: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.#checked) return this.start();
    await this.stop(options);
    this.#backoff.reset();
    this.#state = "starting";
    this.#spawn(true);
  }

  #spawn(append: boolean): void {
    const checked = this.#checked;
    if (!checked) throw new HlsError("not_running", "start() must run first");
    const args = buildArgs(livePlan(this.options, checked, append));
    const child = spawn(this.options.ffmpegPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    this.#lastLines = [];
    this.#ready = false;
    this.#timedOut = false;
    this.#baseline = append ? this.#newest : -1;
    if (!append) this.#newest = -1;
    const onProgress = progressParser((progress) => this.emit("progress", progress));
    child.stdout?.setEncoding("utf8").on("data", lineSplitter(onProgress));
    child.stderr?.setEncoding("utf8").on(
      "data",
      lineSplitter((line) => {
        this.#lastLines.push(line);
        if (this.#lastLines.length > 40) this.#lastLines.shift();
        this.emit("stderr", line);
      }),
    );
    child.stdout?.on("error", () => {});
    child.stderr?.on("error", () => {});
    this.#exited = new Promise((resolve) => {
      let spawnFailed = false;
      child.on("error", (error) => {
        spawnFailed = true;
        this.#lastLines.push(`spawn failed: ${error.message}`);
        this.#onExit(null, null);
        resolve();
      });
      child.on("close", (code, signal) => {
        if (!spawnFailed) this.#onExit(code, signal);
        resolve();
      });
    });
    this.#pollTimer = setInterval(() => void this.#poll(), this.options.pollMs);
    if (this.options.readyTimeoutMs > 0) {
      this.#readyTimer = setTimeout(() => {
        if (this.#ready || this.#child !== child) return;
        this.#timedOut = true;
        this.#lastLines.push(`no playable playlist within ${this.options.readyTimeoutMs} ms`);
        child.kill("SIGKILL");
      }, this.options.readyTimeoutMs);
    }
    if (child.pid !== undefined) this.emit("start", { pid: child.pid, args, restart: append });
  }

  async #readMedia(name: string) {
    try {
      return parseMediaPlaylist(await readFile(join(this.options.outputDir, name), "utf8"));
    } catch {
      return undefined;
    }
  }

  async #poll(): Promise<void> {
    const child = this.#child;
    const names = this.options.ladder
      ? this.options.ladder.map((rung) => `${rung.name}.m3u8`)
      : [OUTPUT.entry];
    const playlists = await Promise.all(names.map((name) => this.#readMedia(name)));
    if (child !== this.#child || this.#state === "stopping") return;
    const first = playlists[0] ? newestSegment(playlists[0]) : undefined;
    if (first && first.sequence > this.#newest) {
      this.#newest = first.sequence;
      const { uri, duration, programDateTime } = first.segment;
      this.emit("segment", {
        uri,
        sequence: first.sequence,
        duration,
        ...(programDateTime ? { programDateTime } : {}),
      });
    }
    if (this.#ready) return;
    const enough = playlists.every((playlist) => {
      const newest = playlist ? newestSegment(playlist) : undefined;
      if (!playlist || !newest) return false;
      return this.#baseline >= 0
        ? newest.sequence > this.#baseline
        : playlist.segments.length >= this.options.readySegments;
    });
    if (!enough) return;
    if (this.options.ladder) {
      try {
        await readFile(this.playlistPath, "utf8");
      } catch {
        return;
      }
    }
    if (child !== this.#child || this.#ready) return;
    this.#ready = true;
    clearTimeout(this.#readyTimer);
    this.#state = "live";
    this.emit("ready", { playlistPath: this.playlistPath, segments: playlists[0]?.segments.length ?? 0 });
  }

  /** Why ffmpeg ended before its (unprobed) input arrived. */
  #inputError(code: number | null, signal: NodeJS.Signals | null, stopped: boolean): HlsError {
    const url = this.options.source.kind === "url" ? this.options.source.url : this.options.source.kind;
    const lastLines = this.#lastLines.slice(-20);
    const cause = { code, signal, lastLines };
    if (stopped) return new HlsError("not_running", `stopped before ${url} was received`, { cause });
    if (this.#timedOut)
      return new HlsError("timeout", `no stream from ${url}: ${lastLines.at(-1)}`, { cause });
    const classified = classifyFfmpegFailure(lastLines);
    const errorCode = classified === "ffmpeg_crashed" ? "input_unreachable" : classified;
    const reason = lastLines.at(-1) ?? `ffmpeg exited (${signal ?? `code ${code}`})`;
    return new HlsError(errorCode, `could not pull ${url}: ${reason}`, { cause });
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    clearInterval(this.#pollTimer);
    clearTimeout(this.#readyTimer);
    this.#child = undefined;
    const { source } = this.options;
    const gate = this.#inputGate;
    if (gate) {
      const stopped = this.#state === "stopping";
      this.#state = stopped ? "stopped" : "idle";
      this.emit("exit", { code, signal, reason: stopped ? "stopped" : "crashed" });
      gate(this.#inputError(code, signal, stopped));
      return;
    }
    if (this.#state === "stopping") {
      this.#state = "stopped";
      this.emit("exit", { code, signal, reason: "stopped" });
      return;
    }
    if (code === 0 && source.kind === "file" && !source.loop) {
      this.#state = "stopped";
      this.emit("exit", { code, signal, reason: "ended" });
      return;
    }
    // A publisher that leaves ends ffmpeg's input with an I/O error: listen again at once,
    // without counting it as a crash (OBS reconnecting must not make the supervisor give up).
    if (
      this.#ready &&
      !this.#timedOut &&
      signal === null &&
      (source.kind === "rtmp" || source.kind === "srt")
    ) {
      this.emit("exit", { code, signal, reason: "disconnected" });
      this.#state = "starting";
      this.#spawn(true);
      return;
    }
    this.emit("exit", { code, signal, reason: "crashed" });
    const lastLines = this.#lastLines.slice(-20);
    const errorCode = this.#timedOut ? "timeout" : classifyFfmpegFailure(lastLines);
    const error = new HlsError(
      errorCode,
      `ffmpeg exited (${signal ?? `code ${code}`}): ${lastLines.at(-1) ?? "no output"}`,
      { cause: { code, signal, lastLines } },
    );
    const decision = this.#backoff.crash();
    if (decision.action === "give_up") {
      this.#state = "failed";
      this.emit(
        "failed",
        new HlsError("gave_up", `gave up after ${decision.crashes} crashes: ${error.message}`, {
          cause: error,
        }),
      );
      return;
    }
    this.#state = "backoff";
    const hadOutput = this.#newest >= 0;
    this.emit("crash", {
      code,
      signal,
      lastLines,
      restartInMs: decision.delayMs,
      crashes: decision.crashes,
      error,
    });
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#state !== "backoff") return;
      this.#state = "starting";
      this.#spawn(hadOutput);
    }, decision.delayMs);
  }
}

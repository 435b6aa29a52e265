import type { ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { MpvError } from "./errors.js";
import { loadOptions } from "./internal/args.js";
import { type Deferred, deferred } from "./internal/deferred.js";
import type { IpcCommand, IpcConnection, RequestOptions } from "./internal/ipc.js";
import type { Redactor } from "./internal/redact.js";
import { Tracks } from "./internal/tracks.js";
import type { EndInfo, ExitInfo, FirstFrameInfo, MpvEvents, MpvLogger } from "./types.js";

/** Options of {@link MpvPlayer.loadfile}. */
export interface LoadfileOptions {
  /** HTTP headers for this file only (playlist, segments, live reloads); never set globally. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Other per-file mpv options, such as `{ "demuxer-lavf-o": "extension_picky=0" }`. */
  readonly options?: Readonly<Record<string, string>>;
  /** `replace` (default) stops what plays; `append` and `append-play` queue the file. */
  readonly flags?: "replace" | "append" | "append-play";
}

/** Options of {@link MpvPlayer.close}. */
export interface CloseOptions {
  /** How long each step (quit, then SIGTERM) may take before the next one; default 3000 ms. */
  readonly timeoutMs?: number;
}

/** What the player is built from; made by `launchMpv` and `attachMpv`. */
export interface PlayerParts {
  readonly ipc: IpcConnection;
  readonly redactor: Redactor;
  readonly logger: MpvLogger | undefined;
  readonly stallTimeoutMs: number;
  readonly child?: ChildProcess;
  /** An mpv started by someone else and owned here (`adoptMpv`): its pid and how to learn its exit. */
  readonly adopted?: { readonly pid: number; readonly exit: () => Promise<ExitInfo | undefined> };
  readonly launchedAt?: number;
  readonly socketPath?: string;
  readonly unregister?: () => void;
}

type Observer = { readonly name: string; readonly callback: (value: unknown, name: string) => void };

const HTTP_ERROR = /HTTP error (\d{3})/;

/**
 * A running mpv driven over its JSON IPC: typed commands and events, per-file headers, first-frame
 * and end-of-playback promises, a stall watchdog and a clean shutdown. Made by {@link launchMpv}
 * or {@link attachMpv}.
 *
 * @example
 * ```ts
 * const player = await launchMpv({ args: ["--vo=null", "--ao=null"] });
 * await player.loadfile("https://example.com/live/index.m3u8", { headers: { Authorization: "Bearer x" } });
 * await player.firstFrame();
 * console.log(await player.ended());
 * await player.close();
 * ```
 */
export class MpvPlayer {
  readonly #parts: PlayerParts;
  readonly #emitter = new EventEmitter();
  readonly #observers = new Map<number, Observer>();
  readonly #tracks: Tracks;
  readonly #exit = deferred<ExitInfo | undefined>();
  #nextObserverId = 1;
  #idle = false;
  #closing: Promise<ExitInfo | undefined> | undefined;

  /** @internal */
  constructor(parts: PlayerParts) {
    this.#parts = parts;
    this.#tracks = new Tracks({
      stallTimeoutMs: parts.stallTimeoutMs,
      launchedAt: parts.launchedAt,
      onStalled: (info) => {
        this.#log("warn", `playback stalled for ${info.stalledForMs} ms`);
        this.#emit("stalled", info);
      },
    });
    parts.ipc.setHandlers({ onEvent: (event) => this.#onEvent(event), onClose: () => this.#onClose() });
    const child = parts.child;
    if (child) {
      child.once("exit", (code, signal) => this.#onExit({ code, signal }));
      if (child.exitCode !== null || child.signalCode !== null) {
        this.#onExit({ code: child.exitCode, signal: child.signalCode });
      }
    }
  }

  /** The mpv process id (`undefined` for an attached mpv). */
  get pid(): number | undefined {
    return this.#parts.child?.pid ?? this.#parts.adopted?.pid;
  }

  /**
   * The IPC socket path: for a launched mpv in `socket` mode, where it was (the path is removed
   * once connected, so nothing is left behind); for an attached mpv, where it is; `undefined` over
   * a socketpair.
   */
  get socketPath(): string | undefined {
    return this.#parts.socketPath;
  }

  /** Whether the IPC connection is closed (mpv quit, died, or {@link MpvPlayer.close} ran). */
  get closed(): boolean {
    return this.#parts.ipc.closed;
  }

  /** @internal Subscribes to what the player needs; called once by launchMpv/attachMpv. */
  async init(): Promise<void> {
    const ipc = this.#parts.ipc;
    await Promise.all([
      ipc.request(["request_log_messages", "warn"]),
      this.#observe("idle-active", (value) => {
        const idle = value === true;
        if (idle && !this.#idle) this.#emit("idle", {});
        this.#idle = idle;
      }),
      this.#observe("paused-for-cache", (value) => this.#tracks.pausedForCache(value === true)),
    ]);
  }

  /**
   * Loads a URL or file over IPC (never through argv), with headers for this file only.
   * `firstFrame()` and `ended()` then follow this file. Resolves once mpv accepted it; a load
   * failure arrives later as `end-file` (reason `error`, with `httpStatus` when mpv logged one).
   *
   * @throws {@link MpvError} `invalid_option` for a bad header or option, `command_failed`, `ipc_closed`.
   * @example
   * ```ts
   * await player.loadfile(url, { headers: { "X-Session": token } });
   * ```
   */
  async loadfile(url: string, options: LoadfileOptions = {}): Promise<{ playlistEntryId?: number }> {
    const fileOptions = loadOptions(options.headers, options.options);
    for (const value of Object.values(options.headers ?? {})) this.#parts.redactor.add(value);
    this.#parts.redactor.add(url);
    const track = this.#tracks.begin();
    const command = { name: "loadfile", url, flags: options.flags ?? "replace", options: fileOptions };
    this.#log("debug", `loadfile ${this.#parts.redactor.redact(url)}`);
    try {
      const data = (await this.#parts.ipc.request(command)) as { playlist_entry_id?: unknown } | null;
      const id = typeof data?.playlist_entry_id === "number" ? data.playlist_entry_id : undefined;
      if (id !== undefined) this.#tracks.assign(track, id);
      return id === undefined ? {} : { playlistEntryId: id };
    } catch (error) {
      this.#tracks.fail(track, error);
      throw error;
    }
  }

  /**
   * Resolves when the file last loaded shows its first frame; rejects with `playback_ended` when
   * it ends first (the {@link EndInfo} is the error's `cause`).
   *
   * @example
   * ```ts
   * const { msSinceLoad } = await player.firstFrame();
   * ```
   */
  firstFrame(): Promise<FirstFrameInfo> {
    return this.#tracks.current().firstFrame.promise;
  }

  /**
   * Resolves with why the file last loaded stopped: mpv's `end-file`, the stall watchdog
   * (`stalled`) or mpv going away (`exit`).
   *
   * @example
   * ```ts
   * const end = await player.ended();
   * if (end.reason === "error") console.error(`could not play (HTTP ${end.httpStatus ?? "?"})`);
   * ```
   */
  ended(): Promise<EndInfo> {
    return this.#tracks.current().ended.promise;
  }

  /**
   * Resolves with the process's exit once mpv is gone (`undefined` for an attached mpv, once disconnected).
   *
   * @example
   * ```ts
   * const { code, signal } = (await player.exited()) ?? {};
   * ```
   */
  exited(): Promise<ExitInfo | undefined> {
    return this.#exit.promise;
  }

  /**
   * Runs an mpv command in positional form and resolves with its `data`.
   *
   * @example
   * ```ts
   * await player.command("seek", 10, "absolute");
   * ```
   */
  command(name: string, ...args: unknown[]): Promise<unknown> {
    return this.#parts.ipc.request([name, ...args]);
  }

  /**
   * Sends any command (positional or named), optionally `async` or with its own timeout.
   *
   * @example
   * ```ts
   * await player.request({ name: "screenshot-to-file", filename: "/tmp/s.png" }, { async: true });
   * ```
   */
  request(command: IpcCommand, options?: RequestOptions): Promise<unknown> {
    return this.#parts.ipc.request(command, options);
  }

  /**
   * Reads a property.
   *
   * @example
   * ```ts
   * const pos = await player.get<number>("time-pos");
   * ```
   */
  get<T = unknown>(name: string): Promise<T> {
    return this.#parts.ipc.request(["get_property", name]) as Promise<T>;
  }

  /**
   * Sets a property.
   *
   * @example
   * ```ts
   * await player.set("pause", true);
   * ```
   */
  async set(name: string, value: unknown): Promise<void> {
    await this.#parts.ipc.request(["set_property", name, value]);
  }

  /**
   * Observes a property: the callback gets the current value at once, then every change. Resolves
   * with the function that stops observing.
   *
   * @example
   * ```ts
   * const stop = await player.observe("time-pos", (value) => console.log(value));
   * await stop();
   * ```
   */
  async observe(
    name: string,
    callback: (value: unknown, name: string) => void,
  ): Promise<() => Promise<void>> {
    return this.#observe(name, callback, true);
  }

  /**
   * Shows text on mpv's OSD for `durationMs` (default 3000); the text is shown as is (no `${}` expansion).
   *
   * @example
   * ```ts
   * await player.showText("Out of points: playback stops", 5000);
   * ```
   */
  async showText(text: string, durationMs = 3000): Promise<void> {
    await this.#parts.ipc.request(["show-text", text, durationMs]);
  }

  /**
   * Asks mpv to quit with an exit code and resolves once it is gone.
   *
   * @example
   * ```ts
   * const exit = await player.quit(0);
   * ```
   */
  async quit(code?: number): Promise<ExitInfo | undefined> {
    try {
      await this.#parts.ipc.request(code === undefined ? ["quit"] : ["quit", code]);
    } catch (error) {
      // mpv may close the connection before answering quit: that is the answer.
      if (!(error instanceof MpvError && error.code === "ipc_closed")) throw error;
    }
    if (!this.#parts.child && !this.#parts.adopted) this.#parts.ipc.close();
    return this.#exit.promise;
  }

  /**
   * Stops mpv for good: `quit` over IPC, then SIGTERM, then SIGKILL, each after `timeoutMs`; removes
   * the socket directory. For an attached mpv it only disconnects; an adopted one is stopped like a
   * launched one. Safe to call more than once.
   *
   * @example
   * ```ts
   * await player.close({ timeoutMs: 1000 });
   * ```
   */
  close(options: CloseOptions = {}): Promise<ExitInfo | undefined> {
    this.#closing ??= this.#close(options.timeoutMs ?? 3000);
    return this.#closing;
  }

  /**
   * Adds a listener for one of the {@link MpvEvents}.
   *
   * @example
   * ```ts
   * player.on("end-file", (end) => console.log(end.reason, end.httpStatus));
   * ```
   */
  on<K extends keyof MpvEvents>(event: K, listener: (payload: MpvEvents[K]) => void): this {
    this.#emitter.on(event, listener);
    return this;
  }

  /**
   * Adds a listener called once.
   *
   * @example
   * ```ts
   * player.once("exit", ({ code }) => console.log(`mpv exited with ${code}`));
   * ```
   */
  once<K extends keyof MpvEvents>(event: K, listener: (payload: MpvEvents[K]) => void): this {
    this.#emitter.once(event, listener);
    return this;
  }

  /**
   * Removes a listener.
   *
   * @example
   * ```ts
   * player.off("log", onLog);
   * ```
   */
  off<K extends keyof MpvEvents>(event: K, listener: (payload: MpvEvents[K]) => void): this {
    this.#emitter.off(event, listener);
    return this;
  }

  async #close(timeoutMs: number): Promise<ExitInfo | undefined> {
    const { child, adopted } = this.#parts;
    if (!child && !adopted) {
      this.#parts.ipc.close();
      return this.#exit.promise;
    }
    const kill = (signal: NodeJS.Signals) => {
      if (child) child.kill(signal);
      else
        try {
          process.kill(adopted?.pid ?? 0, signal);
        } catch {
          // gone meanwhile
        }
    };
    const gone = (ms: number) => within(this.#exit, ms);
    if (!this.#exit.settled()) {
      this.#parts.ipc.request(["quit"], { timeoutMs }).catch(() => {});
      if (!(await gone(timeoutMs))) {
        this.#log("warn", "mpv did not quit; sending SIGTERM");
        kill("SIGTERM");
        if (!(await gone(timeoutMs))) {
          this.#log("warn", "mpv ignored SIGTERM; sending SIGKILL");
          kill("SIGKILL");
        }
      }
    }
    const exit = await this.#exit.promise;
    this.#parts.ipc.close();
    return exit;
  }

  async #observe(
    name: string,
    callback: (value: unknown, name: string) => void,
    fromUser = false,
  ): Promise<() => Promise<void>> {
    const id = this.#nextObserverId++;
    this.#observers.set(id, { name, callback: fromUser ? callback : (value) => callback(value, name) });
    if (fromUser) this.#userObservers.add(id);
    try {
      await this.#parts.ipc.request(["observe_property", id, name]);
    } catch (error) {
      this.#observers.delete(id);
      throw error;
    }
    return async () => {
      if (!this.#observers.delete(id)) return;
      this.#userObservers.delete(id);
      if (!this.closed) await this.#parts.ipc.request(["unobserve_property", id]).catch(() => {});
    };
  }

  readonly #userObservers = new Set<number>();

  #onEvent(event: Record<string, unknown>): void {
    this.#emit("event", event);
    const entryId = typeof event.playlist_entry_id === "number" ? event.playlist_entry_id : undefined;
    switch (event.event) {
      case "property-change": {
        const id = typeof event.id === "number" ? event.id : -1;
        const observer = this.#observers.get(id);
        if (!observer) return;
        observer.callback(event.data, observer.name);
        if (this.#userObservers.has(id))
          this.#emit("property-change", { name: observer.name, value: event.data });
        return;
      }
      case "log-message":
        this.#onLogMessage(event);
        return;
      case "start-file":
        this.#tracks.started(entryId);
        this.#emit("start-file", entryId === undefined ? {} : { playlistEntryId: entryId });
        return;
      case "file-loaded":
        this.#emit("file-loaded", {});
        return;
      case "playback-restart":
        this.#tracks.restarted();
        this.#emit("playback-restart", {});
        return;
      case "end-file": {
        const info = this.#tracks.endFile(entryId, event.reason, event.file_error);
        this.#log(info.reason === "error" ? "warn" : "debug", `end-file ${info.reason}`);
        this.#emit("end-file", info);
        return;
      }
    }
  }

  #onLogMessage(event: Record<string, unknown>): void {
    const level = typeof event.level === "string" ? event.level : "info";
    const prefix = typeof event.prefix === "string" ? event.prefix : "";
    const raw = typeof event.text === "string" ? event.text : "";
    const status = HTTP_ERROR.exec(raw);
    if (status?.[1] !== undefined) this.#tracks.httpStatus(Number(status[1]));
    const text = this.#parts.redactor.redact(raw.replace(/\n$/, ""));
    this.#log(level === "fatal" || level === "error" ? "error" : "warn", `[${prefix}] ${text}`);
    this.#emit("log", { level, prefix, text });
  }

  #onClose(): void {
    this.#emit("shutdown", {});
    const { child, adopted } = this.#parts;
    if (adopted) {
      // Its IPC closes as it exits: wait for the exit status where the system tells it.
      adopted.exit().then(
        (exit) => (exit ? this.#onExit(exit) : this.#settle(undefined)),
        () => this.#settle(undefined),
      );
    } else if (!child) {
      this.#settle(undefined);
    }
  }

  #onExit(exit: ExitInfo): void {
    this.#log(exit.code === 0 ? "info" : "warn", `mpv exited (code ${exit.code}, signal ${exit.signal})`);
    this.#settle(exit);
    this.#emit("exit", exit);
  }

  #settle(exit: ExitInfo | undefined): void {
    if (this.#exit.settled()) return;
    this.#tracks.gone(exit);
    this.#parts.unregister?.();
    this.#exit.resolve(exit);
  }

  #emit<K extends keyof MpvEvents>(event: K, payload: MpvEvents[K]): void {
    this.#emitter.emit(event, payload);
  }

  #log(level: keyof MpvLogger, message: string): void {
    this.#parts.logger?.[level]?.(`mpv: ${message}`);
  }
}

/** Resolves true when the deferred settles within `ms`, false otherwise. */
function within<T>(target: Deferred<T>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    target.promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

import { performance } from "node:perf_hooks";
import { MpvError } from "../errors.js";
import type { EndInfo, EndReason, ExitInfo, FirstFrameInfo, StallInfo } from "../types.js";
import { type Deferred, deferred } from "./deferred.js";

/** One loaded file: its playlist entry, first frame, end and stall watchdog. */
export interface Track {
  id: number | undefined;
  loading: boolean;
  loadStartedAt: number;
  httpStatus: number | undefined;
  frameSeen: boolean;
  finished: boolean;
  stallTimer: NodeJS.Timeout | undefined;
  readonly firstFrame: Deferred<FirstFrameInfo>;
  readonly ended: Deferred<EndInfo>;
}

/** What {@link Tracks} needs from the player. */
export interface TracksOptions {
  readonly stallTimeoutMs: number;
  readonly launchedAt: number | undefined;
  readonly onStalled: (info: StallInfo) => void;
}

const MPV_REASONS: ReadonlySet<string> = new Set(["eof", "stop", "quit", "error", "redirect"]);

function newTrack(): Track {
  return {
    id: undefined,
    loading: false,
    loadStartedAt: performance.now(),
    httpStatus: undefined,
    frameSeen: false,
    finished: false,
    stallTimer: undefined,
    firstFrame: deferred<FirstFrameInfo>(),
    ended: deferred<EndInfo>(),
  };
}

/** Details shared by every report about a track, without absent fields. */
function details(track: Track | undefined): { httpStatus?: number; playlistEntryId?: number } {
  const out: { httpStatus?: number; playlistEntryId?: number } = {};
  if (track?.httpStatus !== undefined) out.httpStatus = track.httpStatus;
  if (track?.id !== undefined) out.playlistEntryId = track.id;
  return out;
}

/**
 * Follows mpv's playlist entries from `loadfile` to `end-file`, so that first-frame and end
 * promises belong to the right file even when `replace` stops the previous one.
 */
export class Tracks {
  readonly #options: TracksOptions;
  readonly #byId = new Map<number, Track>();
  #current: Track | undefined;
  #playing: Track | undefined;

  constructor(options: TracksOptions) {
    this.#options = options;
  }

  /** The file last loaded (or the next one, before any `loadfile`). */
  current(): Track {
    this.#current ??= newTrack();
    return this.#current;
  }

  /** A `loadfile` is being sent. */
  begin(): Track {
    const reuse = this.#current !== undefined && !this.#current.loading && !this.#current.finished;
    const track = reuse && this.#current ? this.#current : newTrack();
    track.loading = true;
    track.loadStartedAt = performance.now();
    this.#current = track;
    return track;
  }

  /** mpv answered `loadfile` with the entry's id. */
  assign(track: Track, id: number): void {
    track.id = id;
    if (!track.finished) this.#byId.set(id, track);
  }

  /** The `loadfile` command itself failed. */
  fail(track: Track, error: unknown): void {
    this.#finish(track, undefined);
    if (!track.ended.settled()) track.ended.reject(error);
    if (!track.firstFrame.settled()) track.firstFrame.reject(error);
  }

  started(id: number | undefined): void {
    this.#playing = this.#lookup(id);
  }

  restarted(): void {
    const track = this.#playing;
    if (!track || track.frameSeen || track.finished) return;
    track.frameSeen = true;
    const now = performance.now();
    const info: { -readonly [K in keyof FirstFrameInfo]: FirstFrameInfo[K] } = {
      msSinceLoad: now - track.loadStartedAt,
    };
    if (this.#options.launchedAt !== undefined) info.msSinceLaunch = now - this.#options.launchedAt;
    if (track.id !== undefined) info.playlistEntryId = track.id;
    track.firstFrame.resolve(info);
  }

  httpStatus(status: number): void {
    const track = this.#playing ?? this.#current;
    if (track && !track.finished) track.httpStatus = status;
  }

  endFile(id: number | undefined, reason: unknown, fileError: unknown): EndInfo {
    const track = this.#lookup(id) ?? this.#playing;
    const known = typeof reason === "string" && MPV_REASONS.has(reason);
    const info: { -readonly [K in keyof EndInfo]: EndInfo[K] } = {
      reason: known ? (reason as EndReason) : "error",
      ...details(track),
    };
    if (typeof fileError === "string") info.error = fileError;
    else if (!known) info.error = `unknown end-file reason ${String(reason)}`;
    if (id !== undefined) info.playlistEntryId = id;
    if (track) this.#finish(track, info);
    if (this.#playing === track) this.#playing = undefined;
    return info;
  }

  pausedForCache(paused: boolean): void {
    const track = this.#playing;
    if (!paused) {
      for (const candidate of [track, this.#current, ...this.#byId.values()]) this.#clearStall(candidate);
      return;
    }
    if (!track || track.finished || track.stallTimer) return;
    const since = performance.now();
    track.stallTimer = setTimeout(() => {
      track.stallTimer = undefined;
      if (track.finished) return;
      const info: StallInfo = { stalledForMs: Math.round(performance.now() - since), ...details(track) };
      if (!track.ended.settled()) track.ended.resolve({ reason: "stalled", ...details(track) });
      this.#options.onStalled(info);
    }, this.#options.stallTimeoutMs);
    track.stallTimer.unref();
  }

  /** mpv is gone: every file still open ends with reason `exit`. */
  gone(exit: ExitInfo | undefined): void {
    for (const track of new Set([this.#current, this.#playing, ...this.#byId.values()])) {
      if (!track || track.finished) continue;
      this.#finish(
        track,
        exit ? { reason: "exit", exit, ...details(track) } : { reason: "exit", ...details(track) },
      );
    }
  }

  #lookup(id: number | undefined): Track | undefined {
    if (id === undefined) return this.#playing ?? this.#current;
    const known = this.#byId.get(id);
    if (known) return known;
    const current = this.#current;
    if (current?.loading && current.id === undefined && !current.finished) {
      this.assign(current, id);
      return current;
    }
    return undefined;
  }

  #clearStall(track: Track | undefined): void {
    if (track?.stallTimer) {
      clearTimeout(track.stallTimer);
      track.stallTimer = undefined;
    }
  }

  #finish(track: Track, info: EndInfo | undefined): void {
    this.#clearStall(track);
    track.finished = true;
    if (track.id !== undefined) this.#byId.delete(track.id);
    if (!info) return;
    if (!track.ended.settled()) track.ended.resolve(info);
    if (!track.firstFrame.settled()) {
      track.firstFrame.reject(
        new MpvError("playback_ended", `playback ended (${info.reason}) before the first frame`, {
          cause: info,
        }),
      );
    }
  }
}

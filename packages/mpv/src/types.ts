/**
 * Why a file stopped playing: mpv's own `end-file` reasons (`eof`, `stop`, `quit`, `error`,
 * `redirect`), plus `stalled` (the stall watchdog fired) and `exit` (mpv went away first).
 * On a live stream, `eof` is a failure to explain, not a normal end.
 */
export type EndReason = "eof" | "stop" | "quit" | "error" | "redirect" | "stalled" | "exit";

/** How the mpv process ended. */
export interface ExitInfo {
  /** Exit code, or `null` when a signal ended it. */
  readonly code: number | null;
  /** The signal that ended it, or `null`. */
  readonly signal: NodeJS.Signals | null;
}

/** Why playback of a file ended, as resolved by `ended()` and emitted as `end-file`. */
export interface EndInfo {
  /** The reason, see {@link EndReason}. */
  readonly reason: EndReason;
  /** mpv's `file_error` (such as `loading failed`) when the reason is `error`. */
  readonly error?: string;
  /** The last HTTP error status mpv logged while loading or playing this file (403, 404, ...). */
  readonly httpStatus?: number;
  /** The process's exit when the reason is `exit`. */
  readonly exit?: ExitInfo;
  /** mpv's playlist entry id of the file, when mpv reports one. */
  readonly playlistEntryId?: number;
}

/** When the first frame of a file was shown (mpv's first `playback-restart` after `loadfile`). */
export interface FirstFrameInfo {
  /** Milliseconds from the `loadfile` call to the first frame. */
  readonly msSinceLoad: number;
  /** Milliseconds from spawning mpv to the first frame (absent for an attached mpv). */
  readonly msSinceLaunch?: number;
  /** mpv's playlist entry id of the file, when mpv reports one. */
  readonly playlistEntryId?: number;
}

/** Emitted when playback has been paused for cache longer than `stallTimeoutMs`. */
export interface StallInfo {
  /** How long playback has been waiting for data, in milliseconds. */
  readonly stalledForMs: number;
  /** The last HTTP error status mpv logged for this file, if any (a 403 segment, say). */
  readonly httpStatus?: number;
  /** mpv's playlist entry id of the file, when mpv reports one. */
  readonly playlistEntryId?: number;
}

/** One of mpv's log messages, with URLs and header values redacted. */
export interface LogEntry {
  /** mpv's level: `fatal`, `error`, `warn`, `info`, ... */
  readonly level: string;
  /** The mpv module that logged it (`ffmpeg`, `stream`, `cplayer`, ...). */
  readonly prefix: string;
  /** The message, without its trailing newline. */
  readonly text: string;
}

/** A change of an observed property. */
export interface PropertyChange {
  /** The property name. */
  readonly name: string;
  /** Its new value (`undefined` when mpv reports it unavailable). */
  readonly value: unknown;
}

/** The payload of every event an mpv player emits, by event name. */
export interface MpvEvents {
  /** mpv started loading a playlist entry. */
  "start-file": { readonly playlistEntryId?: number };
  /** The file is open and its tracks are known. */
  "file-loaded": Record<string, never>;
  /** Playback (re)started after loading or seeking: the first one after `loadfile` is the first frame. */
  "playback-restart": Record<string, never>;
  /** A file stopped playing, and why. */
  "end-file": EndInfo;
  /** mpv has nothing to play (the `idle-active` property turned true). */
  idle: Record<string, never>;
  /** The IPC connection closed: mpv is quitting or gone. */
  shutdown: Record<string, never>;
  /** An observed property changed. */
  "property-change": PropertyChange;
  /** Playback has waited for data longer than `stallTimeoutMs` (mpv never ends such a live stream). */
  stalled: StallInfo;
  /** The mpv process exited (launched players only). */
  exit: ExitInfo;
  /** One of mpv's log messages, redacted. */
  log: LogEntry;
  /** Every raw mpv event, unparsed, for events this package does not type. */
  event: Readonly<Record<string, unknown>>;
}

/**
 * Where this package reports what happens, redacted; `console` fits, so does a pino logger.
 */
export interface MpvLogger {
  /** Details: commands sent, mpv's terminal output. */
  debug?(message: string): void;
  /** Normal life cycle: launched, file loaded, exited. */
  info?(message: string): void;
  /** mpv warnings, stalls. */
  warn?(message: string): void;
  /** mpv errors. */
  error?(message: string): void;
}

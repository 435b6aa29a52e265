import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { CommandPlan, EncodeOptions } from "./args.js";
import type { BackoffOptions } from "./backoff.js";
import { HlsError } from "./errors.js";
import { findFont, hasDrawtext } from "./font.js";
import { type LadderRung, validateLadder } from "./ladder.js";
import { checkTcpPort, checkUdpPort } from "./preflight.js";
import { type ProbeResult, probe } from "./probe.js";
import { isSrtUrl, type Source } from "./sources.js";

/** Options of an {@link HlsPipeline}. */
export interface HlsPipelineOptions {
  /** Where the picture and sound come from. */
  source: Source;
  /** The stream's own directory: `index.m3u8` and segments go here (old `.m3u8`/`.ts` files are removed on start). */
  outputDir: string;
  /** Target segment duration in whole seconds, 1 to 30; default 2. */
  segmentSeconds?: number;
  /** Segments kept in the live playlist (older ones are deleted), 2 to 100; default 6. */
  windowSize?: number;
  /** Encode these renditions in one ffmpeg and write a master playlist as `index.m3u8`. */
  ladder?: readonly LadderRung[];
  /** `copy` the source's streams, `encode` them, or `auto` (copy H.264/AAC when there is no ladder); default `auto`. */
  codec?: "auto" | "copy" | "encode";
  /** Encoder settings when encoding. */
  encode?: EncodeOptions;
  /** ffmpeg to run; default `ffmpeg` on PATH. */
  ffmpegPath?: string;
  /** ffprobe to run; default `ffprobe` next to ffmpeg or on PATH. */
  ffprobePath?: string;
  /** Segments the first playlist must hold before `ready`, 1 to `windowSize`; default 2. */
  readySegments?: number;
  /** A run that is not ready after this long counts as a crash (`timeout`); 0 waits forever. Default 30 s, 0 for listeners. */
  readyTimeoutMs?: number;
  /** Read the source at its native rate (`-re`); false packages as fast as the machine allows (benchmarks, catch-up). Default true. */
  realtime?: boolean;
  /** Restart policy after crashes. */
  backoff?: BackoffOptions;
  /** How often the playlist is checked for readiness and new segments; default 250 ms. */
  pollMs?: number;
  /** Clock for the crash window (tests inject one); default `Date.now`. */
  now?: () => number;
}

/** The options of an {@link HlsPipeline} with defaults filled in and checked (see `pipeline.options`). */
export interface ResolvedOptions {
  source: Source;
  outputDir: string;
  segmentSeconds: number;
  windowSize: number;
  ladder: readonly LadderRung[] | undefined;
  codec: "auto" | "copy" | "encode";
  encode: EncodeOptions;
  ffmpegPath: string;
  ffprobePath: string | undefined;
  readySegments: number;
  readyTimeoutMs: number;
  pollMs: number;
  realtime: boolean;
}

const bad = (message: string): never => {
  throw new HlsError("invalid_options", message);
};

function intIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    bad(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

function checkSource(source: Source): void {
  switch (source?.kind) {
    case "test":
      for (const key of ["width", "height"] as const) {
        const value = source[key];
        if (value !== undefined && (!Number.isInteger(value) || value < 16 || value % 2 !== 0)) {
          bad(`test source ${key} must be an even integer >= 16`);
        }
      }
      return;
    case "file":
      if (typeof source.path !== "string" || source.path.length === 0) bad("file source needs a path");
      return;
    case "url":
      if (typeof source.url !== "string" || !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(source.url)) {
        bad(`url source needs an absolute URL, got ${JSON.stringify(source.url)}`);
      }
      return;
    case "rtmp":
    case "srt":
      intIn(`${source.kind} port`, source.port, 1, 65535);
      return;
    default:
      bad(`unknown source kind ${JSON.stringify((source as { kind?: unknown })?.kind)}`);
  }
}

/** Checks options and fills in defaults; throws `invalid_options` or `invalid_ladder`. */
export function resolveOptions(options: HlsPipelineOptions): ResolvedOptions {
  checkSource(options.source);
  if (typeof options.outputDir !== "string" || options.outputDir.length === 0) bad("outputDir is required");
  // ffmpeg expands % in output names, so a directory containing one would be rewritten.
  if (options.outputDir.includes("%")) bad("outputDir must not contain %");
  const windowSize = intIn("windowSize", options.windowSize ?? 6, 2, 100);
  if (options.ladder !== undefined) validateLadder(options.ladder);
  if (options.ladder !== undefined && options.codec === "copy")
    bad("a ladder needs encoding: codec copy is impossible");
  const listener = options.source.kind === "rtmp" || options.source.kind === "srt";
  return {
    source: options.source,
    outputDir: options.outputDir,
    segmentSeconds: intIn("segmentSeconds", options.segmentSeconds ?? 2, 1, 30),
    windowSize,
    ladder: options.ladder,
    codec: options.codec ?? "auto",
    encode: options.encode ?? {},
    ffmpegPath: options.ffmpegPath ?? "ffmpeg",
    ffprobePath: options.ffprobePath,
    readySegments: intIn("readySegments", options.readySegments ?? 2, 1, windowSize),
    readyTimeoutMs: intIn("readyTimeoutMs", options.readyTimeoutMs ?? (listener ? 0 : 30_000), 0, 86_400_000),
    pollMs: intIn("pollMs", options.pollMs ?? 250, 10, 10_000),
    realtime: options.realtime ?? true,
  };
}

/** What preflight learned, reused by every (re)start of the process. */
export interface Preflight {
  copy: boolean;
  hasAudio: boolean;
  fontFile: string | null;
  paceUrl: boolean;
  probed?: ProbeResult;
  /** The source was not probed (an SRT URL): `start()` waits until ffmpeg receives it, within this many ms. */
  awaitInputMs?: number;
}

function copyable(info: ProbeResult): boolean {
  const video = info.streams.find((s) => s.type === "video");
  const audio = info.streams.find((s) => s.type === "audio");
  return video?.codec === "h264" && (audio === undefined || audio.codec === "aac");
}

/**
 * Checks the source before ffmpeg starts, so that bad input fails fast with a clear code:
 * a missing file, an unreachable URL (within its timeout), a port in use. An SRT URL is
 * checked by ffmpeg's own connection instead (`awaitInputMs`).
 */
export async function preflight(options: ResolvedOptions, ffprobePath: string): Promise<Preflight> {
  const { source } = options;
  const result: Preflight = { copy: false, hasAudio: true, fontFile: null, paceUrl: false };
  if (source.kind === "url" && isSrtUrl(source.url)) {
    // An SRT listener serves one caller: probing would take the connection ffmpeg needs.
    // ffmpeg itself is the check (see HlsPipeline.start); its first progress report proves the
    // stream arrives, in time to enforce the URL's timeout. Stream analysis adds a few seconds.
    result.awaitInputMs = (source.timeoutMs ?? 10_000) + 10_000;
    result.copy = options.codec === "copy";
  } else if (source.kind === "file" || source.kind === "url") {
    const input = source.kind === "file" ? source.path : source.url;
    const timeoutMs = source.kind === "url" ? (source.timeoutMs ?? 10_000) : 15_000;
    const inputArgs =
      source.kind === "url" && !/^rtsps?:/i.test(source.url) ? ["-rw_timeout", String(timeoutMs * 1000)] : [];
    const info = await probe(input, { ffprobePath, timeoutMs, inputArgs });
    result.probed = info;
    if (!info.streams.some((s) => s.type === "video")) {
      throw new HlsError("input_invalid", `${input} has no video stream`, { cause: info });
    }
    result.hasAudio = info.streams.some((s) => s.type === "audio");
    result.paceUrl = source.kind === "url" && (info.durationSeconds ?? 0) > 0;
    result.copy = options.codec === "copy" || (options.codec === "auto" && !options.ladder && copyable(info));
  } else if (source.kind === "rtmp") {
    await checkTcpPort(source.port, source.host ?? "0.0.0.0");
    result.copy = options.codec === "copy";
  } else if (source.kind === "srt") {
    await checkUdpPort(source.port, source.host ?? "0.0.0.0");
    result.copy = options.codec === "copy";
  } else if (await hasDrawtext(options.ffmpegPath)) {
    result.fontFile = await findFont(source.fontFile);
  }
  return result;
}

/** Creates the output directory and removes playlists and segments of an earlier run. */
export async function prepareOutputDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const stale = (await readdir(dir)).filter((name) => /\.(m3u8|ts)(\.tmp)?$/.test(name));
  await Promise.all(stale.map((name) => rm(join(dir, name), { force: true })));
}

/** The command plan for one run of the live packager. */
export function livePlan(options: ResolvedOptions, checked: Preflight, append: boolean): CommandPlan {
  return {
    source: options.source,
    outputDir: options.outputDir,
    segmentSeconds: options.segmentSeconds,
    windowSize: options.windowSize,
    ladder: options.ladder,
    copy: checked.copy,
    hasAudio: checked.hasAudio,
    encode: options.encode,
    append,
    vod: false,
    fontFile: checked.fontFile,
    startedAt: new Date(),
    paceUrl: checked.paceUrl,
    realtime: options.realtime,
  };
}

import { join } from "node:path";
import type { LadderRung } from "./ladder.js";
import { inputArgs, type Source, streamRefs } from "./sources.js";

/** How to encode when the pipeline does not copy the source's streams. */
export interface EncodeOptions {
  /** x264 preset; default `veryfast`. */
  preset?: string;
  /** Video bitrate in kbit/s (single rendition); default: x264's CRF 23. */
  videoBitrateKbps?: number;
  /** Audio bitrate in kbit/s; default 128. */
  audioBitrateKbps?: number;
  /** Scale the single rendition to this width and height. */
  width?: number;
  /** Scale the single rendition to this width and height. */
  height?: number;
}

/** Everything needed to write one ffmpeg command line. */
export interface CommandPlan {
  source: Source;
  outputDir: string;
  segmentSeconds: number;
  /** Segments kept in a live playlist; 0 means all (VOD). */
  windowSize: number;
  ladder?: readonly LadderRung[] | undefined;
  copy: boolean;
  hasAudio: boolean;
  encode: EncodeOptions;
  /** Continue the playlists left by a previous run (after a crash). */
  append: boolean;
  vod: boolean;
  /** Font for the test pattern's clock; null draws no clock. */
  fontFile: string | null;
  startedAt: Date;
  /** Read a URL source at its native rate (it has a duration: a file, not a live stream). */
  paceUrl?: boolean;
  /** false: read every input as fast as possible (no `-re`). */
  realtime?: boolean;
}

/** File names the packager writes inside its output directory. */
export const OUTPUT = {
  entry: "index.m3u8",
  segmentPattern: "seg_%05d.ts",
  variantPlaylist: (name: string): string => `${name}.m3u8`,
  variantSegmentPattern: "%v_%05d.ts",
} as const;

function x264(plan: CommandPlan): string[] {
  const keyframes = `expr:gte(t,n_forced*${plan.segmentSeconds})`;
  return [
    "-c:v",
    "libx264",
    "-preset",
    plan.encode.preset ?? "veryfast",
    ...(plan.vod ? [] : ["-tune", "zerolatency"]),
    "-pix_fmt",
    "yuv420p",
    "-force_key_frames",
    keyframes,
    "-sc_threshold",
    "0",
  ];
}

function hlsFlags(plan: CommandPlan): string {
  const flags = ["temp_file", "independent_segments"];
  if (!plan.vod) flags.push("delete_segments", "program_date_time");
  if (plan.append) flags.push("append_list");
  return flags.join("+");
}

function muxer(plan: CommandPlan): string[] {
  return [
    "-f",
    "hls",
    "-hls_time",
    String(plan.segmentSeconds),
    "-hls_list_size",
    String(plan.windowSize),
    "-hls_segment_type",
    "mpegts",
    "-hls_flags",
    hlsFlags(plan),
    ...(plan.vod ? ["-hls_playlist_type", "vod"] : []),
  ];
}

function single(plan: CommandPlan): string[] {
  const refs = streamRefs(plan.source);
  const maps = ["-map", refs.video, ...(plan.hasAudio ? ["-map", `${refs.audio}?`] : [])];
  if (plan.copy) return [...maps, "-c", "copy"];
  const { width, height, videoBitrateKbps, audioBitrateKbps } = plan.encode;
  const scale = width && height ? ["-vf", `scale=${width}:${height},setsar=1`] : [];
  const rate = videoBitrateKbps
    ? [
        "-b:v",
        `${videoBitrateKbps}k`,
        "-maxrate",
        `${videoBitrateKbps}k`,
        "-bufsize",
        `${videoBitrateKbps * 2}k`,
      ]
    : [];
  const audio = plan.hasAudio
    ? ["-c:a", "aac", "-b:a", `${audioBitrateKbps ?? 128}k`, "-ar", "48000", "-ac", "2"]
    : [];
  return [...maps, ...scale, ...x264(plan), ...rate, ...audio];
}

function ladder(plan: CommandPlan, rungs: readonly LadderRung[]): string[] {
  const refs = streamRefs(plan.source);
  const split = `[${refs.video}]split=${rungs.length}${rungs.map((_, i) => `[s${i}]`).join("")}`;
  const scales = rungs.map((rung, i) => `[s${i}]scale=${rung.width}:${rung.height},setsar=1[v${i}]`);
  const args = ["-filter_complex", [split, ...scales].join(";")];
  rungs.forEach((_, i) => {
    args.push("-map", `[v${i}]`);
  });
  if (plan.hasAudio) for (const _ of rungs) args.push("-map", refs.audio);
  args.push(...x264(plan));
  rungs.forEach((rung, i) => {
    const kbps = rung.videoBitrateKbps;
    args.push(`-b:v:${i}`, `${kbps}k`, `-maxrate:v:${i}`, `${kbps}k`, `-bufsize:v:${i}`, `${kbps * 2}k`);
  });
  if (plan.hasAudio) {
    args.push("-c:a", "aac", "-ar", "48000", "-ac", "2");
    rungs.forEach((rung, i) => {
      args.push(`-b:a:${i}`, `${rung.audioBitrateKbps ?? 128}k`);
    });
  }
  const streamMap = rungs
    .map((rung, i) => `v:${i}${plan.hasAudio ? `,a:${i}` : ""},name:${rung.name}`)
    .join(" ");
  return [...args, ...muxer(plan), "-var_stream_map", streamMap, "-master_pl_name", OUTPUT.entry];
}

/**
 * The whole ffmpeg argument array for a plan: every argument its own element, never a
 * shell string. Progress goes to stdout as key=value blocks; errors to stderr.
 */
export function buildArgs(plan: CommandPlan): string[] {
  const head = ["-hide_banner", "-nostdin", "-loglevel", "warning", "-nostats", "-progress", "pipe:1", "-y"];
  const paced = inputArgs(plan.source, plan.fontFile, plan.startedAt, plan.paceUrl === true && !plan.vod);
  const input = plan.realtime === false || plan.vod ? paced.filter((arg) => arg !== "-re") : paced;
  if (plan.ladder) {
    return [
      ...head,
      ...input,
      ...ladder(plan, plan.ladder),
      "-hls_segment_filename",
      join(plan.outputDir, OUTPUT.variantSegmentPattern),
      join(plan.outputDir, "%v.m3u8"),
    ];
  }
  return [
    ...head,
    ...input,
    ...single(plan),
    ...muxer(plan),
    "-hls_segment_filename",
    join(plan.outputDir, OUTPUT.segmentPattern),
    join(plan.outputDir, OUTPUT.entry),
  ];
}

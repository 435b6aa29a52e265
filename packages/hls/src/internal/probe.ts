import { access } from "node:fs/promises";
import { z } from "zod";
import { classifyFfmpegFailure, HlsError } from "./errors.js";
import { runProgram } from "./run.js";

const numeric = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) {
    ctx.addIssue({ code: "custom", message: `not a number: ${String(value)}` });
    return z.NEVER;
  }
  return parsed;
});

const streamSchema = z.object({
  index: z.number(),
  codec_type: z.string(),
  codec_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  avg_frame_rate: z.string().optional(),
  sample_rate: numeric.optional(),
  channels: z.number().optional(),
});

const probeSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z
    .object({
      format_name: z.string().optional(),
      duration: numeric.optional(),
      bit_rate: numeric.optional(),
    })
    .optional(),
});

/** One stream of a probed input. */
export interface ProbeStream {
  /** Stream index in the input. */
  index: number;
  /** `video`, `audio`, `data`, `subtitle`. */
  type: string;
  /** `h264`, `aac`, ... */
  codec?: string;
  /** Video width in pixels. */
  width?: number;
  /** Video height in pixels. */
  height?: number;
  /** Video frame rate (frames per second). */
  frameRate?: number;
  /** Audio sample rate in Hz. */
  sampleRate?: number;
}

/** What ffprobe says about an input. */
export interface ProbeResult {
  /** The container, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `hls`. */
  format?: string;
  /** Length in seconds (absent for live inputs). */
  durationSeconds?: number;
  /** Every stream, video and audio first as ffprobe lists them. */
  streams: ProbeStream[];
}

/** Options of {@link probe}. */
export interface ProbeOptions {
  /** ffprobe to run; defaults to `ffprobe` on PATH. */
  ffprobePath?: string;
  /** Give up (code `timeout`) after this long; default 15 s. */
  timeoutMs?: number;
  /** Extra ffprobe input options placed before `-i`, e.g. `["-rw_timeout", "5000000"]`. */
  inputArgs?: readonly string[];
}

function frameRate(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const [num, den] = text.split("/").map(Number);
  if (num === undefined || !den || !Number.isFinite(num)) return undefined;
  return num / den;
}

/**
 * Runs ffprobe on a file or URL and returns its streams, validated with zod. Rejects with
 * `file_not_found`, `input_unreachable`, `input_invalid` or `timeout`.
 *
 * @example
 * ```ts
 * const info = await probe("/videos/talk.mp4");
 * const video = info.streams.find((s) => s.type === "video");
 * console.log(video?.codec, video?.width, video?.height, info.durationSeconds);
 * ```
 */
export async function probe(input: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(input);
  if (!isUrl) {
    try {
      await access(input);
    } catch {
      throw new HlsError("file_not_found", `no such file: ${input}`, { cause: { path: input } });
    }
  }
  const timeoutMs = options.timeoutMs ?? 15_000;
  const args = [
    "-hide_banner",
    "-v",
    "error",
    ...(options.inputArgs ?? []),
    "-show_entries",
    "format=format_name,duration,bit_rate:stream=index,codec_type,codec_name,width,height,avg_frame_rate,sample_rate,channels",
    "-of",
    "json",
    "-i",
    input,
  ];
  const result = await runProgram(options.ffprobePath ?? "ffprobe", args, timeoutMs);
  if (result.spawnError) {
    throw new HlsError("ffmpeg_not_found", `ffprobe could not be started: ${result.spawnError.message}`, {
      cause: result.spawnError,
    });
  }
  const lines = result.stderr.split("\n").filter(Boolean).slice(-20);
  if (result.timedOut) {
    throw new HlsError("timeout", `ffprobe did not answer within ${timeoutMs} ms for ${input}`, {
      cause: { input, lastLines: lines },
    });
  }
  if (result.code !== 0) {
    const code = classifyFfmpegFailure(lines);
    throw new HlsError(
      code === "ffmpeg_crashed" ? (isUrl ? "input_unreachable" : "input_invalid") : code,
      `ffprobe could not read ${input}: ${lines.at(-1) ?? `exit ${result.code}`}`,
      { cause: { input, lastLines: lines, exitCode: result.code } },
    );
  }
  const parsed = probeSchema.safeParse(JSON.parse(result.stdout || "{}"));
  if (!parsed.success) {
    throw new HlsError("input_invalid", `unexpected ffprobe output for ${input}`, { cause: parsed.error });
  }
  const streams = parsed.data.streams.map((stream): ProbeStream => {
    const out: ProbeStream = { index: stream.index, type: stream.codec_type };
    if (stream.codec_name !== undefined) out.codec = stream.codec_name;
    if (stream.width !== undefined) out.width = stream.width;
    if (stream.height !== undefined) out.height = stream.height;
    const fps = frameRate(stream.avg_frame_rate);
    if (fps !== undefined) out.frameRate = fps;
    if (stream.sample_rate !== undefined) out.sampleRate = stream.sample_rate;
    return out;
  });
  if (streams.length === 0) {
    throw new HlsError("input_invalid", `${input} has no audio or video stream`, { cause: { input } });
  }
  const out: ProbeResult = { streams };
  if (parsed.data.format?.format_name !== undefined) out.format = parsed.data.format.format_name;
  if (parsed.data.format?.duration !== undefined) out.durationSeconds = parsed.data.format.duration;
  return out;
}

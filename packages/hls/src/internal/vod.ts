import { spawn } from "node:child_process";
import { join } from "node:path";
import { buildArgs, type EncodeOptions, OUTPUT } from "./args.js";
import { classifyFfmpegFailure, HlsError } from "./errors.js";
import { findFfmpeg } from "./find.js";
import { type LadderRung, validateLadder } from "./ladder.js";
import { prepareOutputDir } from "./plan.js";
import { probe } from "./probe.js";
import { type Progress, progressParser } from "./progress.js";
import { lineSplitter } from "./run.js";

/** Options of {@link packageVod}. */
export interface VodOptions {
  /** The media file to package. */
  input: string;
  /** Directory for `index.m3u8` and the segments (old `.m3u8`/`.ts` files are removed). */
  outputDir: string;
  /** Target segment duration in whole seconds; default 4. */
  segmentSeconds?: number;
  /** Encode these renditions and write a master playlist. */
  ladder?: readonly LadderRung[];
  /** `auto` copies H.264/AAC inputs when there is no ladder; default `auto`. */
  codec?: "auto" | "copy" | "encode";
  /** Encoder settings when encoding. */
  encode?: EncodeOptions;
  /** ffmpeg to run; default `ffmpeg` on PATH. */
  ffmpegPath?: string;
  /** ffprobe to run; default `ffprobe` next to ffmpeg or on PATH. */
  ffprobePath?: string;
  /** Called with each `-progress` report. */
  onProgress?: (progress: Progress) => void;
  /** Abort the packaging (ffmpeg is killed; the promise rejects). */
  signal?: AbortSignal;
}

/** What {@link packageVod} produced. */
export interface VodResult {
  /** `<outputDir>/index.m3u8`. */
  playlistPath: string;
  /** The input's duration in seconds, as ffprobe reported it. */
  durationSeconds: number | undefined;
  /** Whether the streams were copied rather than encoded. */
  copied: boolean;
}

/**
 * Packages a media file as VOD HLS (MPEG-TS segments, `EXT-X-PLAYLIST-TYPE:VOD`, optionally
 * an ABR ladder), as fast as the machine allows.
 *
 * @example
 * ```ts
 * const { playlistPath } = await packageVod({ input: "talk.mp4", outputDir: "/srv/vod/talk" });
 * ```
 */
export async function packageVod(options: VodOptions): Promise<VodResult> {
  if (options.ladder) validateLadder(options.ladder);
  const segmentSeconds = options.segmentSeconds ?? 4;
  if (!Number.isInteger(segmentSeconds) || segmentSeconds < 1 || segmentSeconds > 60) {
    throw new HlsError(
      "invalid_options",
      `segmentSeconds must be an integer from 1 to 60, got ${segmentSeconds}`,
    );
  }
  if (options.outputDir.includes("%")) throw new HlsError("invalid_options", "outputDir must not contain %");
  const found = await findFfmpeg({
    ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
    ...(options.ffprobePath ? { ffprobePath: options.ffprobePath } : {}),
  });
  const info = await probe(options.input, { ffprobePath: found.ffprobe.path });
  const video = info.streams.find((s) => s.type === "video");
  const audio = info.streams.find((s) => s.type === "audio");
  if (!video) throw new HlsError("input_invalid", `${options.input} has no video stream`, { cause: info });
  const codec = options.codec ?? "auto";
  const copy =
    !options.ladder &&
    (codec === "copy" || (codec === "auto" && video.codec === "h264" && (!audio || audio.codec === "aac")));
  await prepareOutputDir(options.outputDir);
  const args = buildArgs({
    source: { kind: "file", path: options.input },
    outputDir: options.outputDir,
    segmentSeconds,
    windowSize: 0,
    ladder: options.ladder,
    copy,
    hasAudio: audio !== undefined,
    encode: options.encode ?? {},
    append: false,
    vod: true,
    fontFile: null,
    startedAt: new Date(),
  });
  const lastLines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(found.ffmpeg.path, args, { stdio: ["ignore", "pipe", "pipe"] });
    const onAbort = () => child.kill("SIGKILL");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.setEncoding("utf8").on("data", lineSplitter(progressParser((p) => options.onProgress?.(p))));
    child.stderr.setEncoding("utf8").on(
      "data",
      lineSplitter((line) => {
        lastLines.push(line);
        if (lastLines.length > 20) lastLines.shift();
      }),
    );
    child.on("error", (error) => reject(new HlsError("ffmpeg_not_found", error.message, { cause: error })));
    child.on("close", (code, signal) => {
      options.signal?.removeEventListener("abort", onAbort);
      if (code === 0) return resolve();
      const aborted = options.signal?.aborted === true;
      const errorCode = aborted ? "not_running" : classifyFfmpegFailure(lastLines);
      reject(
        new HlsError(
          errorCode,
          `ffmpeg ${aborted ? "aborted" : "failed"} (${signal ?? `code ${code}`}): ${lastLines.at(-1) ?? ""}`,
          {
            cause: { code, signal, lastLines },
          },
        ),
      );
    });
  });
  return {
    playlistPath: join(options.outputDir, OUTPUT.entry),
    durationSeconds: info.durationSeconds,
    copied: copy,
  };
}

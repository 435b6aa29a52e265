import { existsSync } from "node:fs";
import { join } from "node:path";
import { HlsPipeline, type HlsPipelineOptions, type Progress, packageVod } from "@mpvstream/hls";
import { afterEach, describe, expect, it } from "vitest";
import {
  ffprobeJson,
  fileDuration,
  freePort,
  makeClip,
  publish,
  quietStop,
  readMedia,
  serveDir,
  serveSrt,
  tempDir,
  tiny,
  videoFrames,
  waitFor,
  waitListening,
} from "./helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function pipelineFor(source: HlsPipelineOptions["source"], extra: Partial<HlsPipelineOptions> = {}) {
  const { dir, cleanup } = await tempDir();
  const pipeline = new HlsPipeline({
    source,
    outputDir: join(dir, "out"),
    segmentSeconds: 1,
    encode: { preset: "ultrafast", width: tiny.width, height: tiny.height },
    ...extra,
  });
  cleanups.push(cleanup, () => quietStop(pipeline));
  return { dir, pipeline };
}

/** The live playlist is playable: ffprobe opens it and finds video and audio. */
function expectPlayable(playlistPath: string): void {
  const json = ffprobeJson(["-show_entries", "stream=codec_type,codec_name,width,height", playlistPath]) as {
    streams: Array<{ codec_type: string; codec_name: string; width?: number }>;
  };
  expect(json.streams.map((s) => s.codec_type).sort()).toEqual(["audio", "video"]);
  expect(json.streams.find((s) => s.codec_type === "video")?.codec_name).toBe("h264");
}

describe("live sources (real ffmpeg)", () => {
  it("test pattern: 1 s segments with keyframes at their starts, a rolling window and program date times", async () => {
    const { pipeline } = await pipelineFor({ kind: "test", ...tiny }, { windowSize: 3 });
    const progress: Progress[] = [];
    let args: string[] = [];
    pipeline.on("progress", (p) => progress.push(p));
    pipeline.on("start", (info) => {
      args = info.args;
    });
    await pipeline.start();
    await pipeline.whenReady(30_000);
    expect(pipeline.state).toBe("live");
    expect(args.join(" ")).toContain("drawtext=fontfile=");
    expectPlayable(pipeline.playlistPath);

    // Wait until the window has rolled past the first segments.
    const playlist = await waitFor(async () => {
      const p = await readMedia(pipeline.playlistPath);
      return p && p.mediaSequence >= 2 ? p : undefined;
    }, 30_000);
    expect(playlist.targetDuration).toBe(1);
    expect(playlist.segments.length).toBeLessThanOrEqual(3);
    expect(playlist.independentSegments).toBe(true);
    expect(existsSync(join(pipeline.options.outputDir, "seg_00000.ts"))).toBe(false);
    for (const segment of playlist.segments) {
      expect(segment.duration).toBeGreaterThan(0.9);
      expect(segment.duration).toBeLessThan(1.1);
      expect(segment.programDateTime).toMatch(/^\d{4}-\d\d-\d\dT/);
      const file = join(pipeline.options.outputDir, segment.uri);
      expect(Math.abs(fileDuration(file) - 1)).toBeLessThan(0.25);
      const frames = videoFrames(file);
      expect(frames[0]?.key_frame).toBe(1);
      expect(frames.slice(1).filter((f) => f.key_frame === 1)).toHaveLength(0);
    }
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)?.frame).toBeGreaterThan(25);
  });

  it("file source, looped, H.264/AAC is stream-copied", async () => {
    const { dir } = await tempDir();
    cleanups.push(async () => {
      const { rm } = await import("node:fs/promises");
      await rm(dir, { recursive: true, force: true });
    });
    const clip = join(dir, "clip.mp4");
    makeClip(clip, 2);
    const { pipeline } = await pipelineFor({ kind: "file", path: clip, loop: true }, { readySegments: 3 });
    let args = "";
    pipeline.on("start", (info) => {
      args = info.args.join(" ");
    });
    await pipeline.start();
    await pipeline.whenReady(30_000);
    expect(args).toContain("-stream_loop -1");
    expect(args).toContain("-c copy");
    const playlist = await readMedia(pipeline.playlistPath);
    // Three 1 s segments from a 2 s clip: the loop went round.
    expect(playlist?.segments.length).toBeGreaterThanOrEqual(3);
    expectPlayable(pipeline.playlistPath);
  });

  it("URL source: an MP4 over HTTP and a VOD HLS over HTTP", async () => {
    const { dir } = await tempDir();
    cleanups.push(async () => {
      const { rm } = await import("node:fs/promises");
      await rm(dir, { recursive: true, force: true });
    });
    makeClip(join(dir, "clip.mp4"), 4);
    const vod = await packageVod({
      input: join(dir, "clip.mp4"),
      outputDir: join(dir, "vod"),
      segmentSeconds: 1,
    });
    expect(vod.copied).toBe(true);
    const files = await serveDir(dir);
    const hls = await serveDir(join(dir, "vod"));
    cleanups.push(files.close, hls.close);
    for (const url of [`${files.url}/clip.mp4`, `${hls.url}/index.m3u8`]) {
      const { pipeline } = await pipelineFor({ kind: "url", url, timeoutMs: 5000 });
      await pipeline.start();
      await pipeline.whenReady(30_000);
      expectPlayable(pipeline.playlistPath);
      await pipeline.stop();
    }
  });

  it("RTMP listener: a second ffmpeg publishes to rtmp://host:port/live", async () => {
    const port = await freePort();
    const { pipeline } = await pipelineFor({ kind: "rtmp", port, host: "127.0.0.1" }, { codec: "copy" });
    await pipeline.start();
    await waitListening(port, "tcp");
    const published = publish(`rtmp://127.0.0.1:${port}/live/key`, "flv", 5);
    await pipeline.whenReady(30_000);
    expectPlayable(pipeline.playlistPath);
    await pipeline.stop();
    await published;
  });

  it("SRT listener: a second ffmpeg calls with MPEG-TS", async () => {
    const port = await freePort("udp");
    const { pipeline } = await pipelineFor({ kind: "srt", port, host: "127.0.0.1" });
    await pipeline.start();
    await waitListening(port, "udp");
    const published = publish(`srt://127.0.0.1:${port}?mode=caller`, "mpegts", 5);
    await pipeline.whenReady(30_000);
    expectPlayable(pipeline.playlistPath);
    await pipeline.stop();
    await published;
  });

  it("URL source: pulls a live MPEG-TS stream from an SRT listener (caller mode)", async () => {
    const port = await freePort("udp");
    const server = await serveSrt(port);
    cleanups.push(server.close);
    const url = `srt://127.0.0.1:${port}`;
    const { pipeline } = await pipelineFor({ kind: "url", url, timeoutMs: 5000 }, { windowSize: 3 });
    let args: string[] = [];
    pipeline.on("start", (info) => {
      args = info.args;
    });
    const segments: number[] = [];
    pipeline.on("segment", ({ sequence }) => segments.push(sequence));
    await pipeline.start();
    // The listener serves one caller: the packager's ffmpeg must be that caller.
    expect(args.slice(args.indexOf("-i") - 4, args.indexOf("-i") + 2)).toEqual([
      "-connect_timeout",
      "5000",
      "-rw_timeout",
      "5000000",
      "-i",
      url,
    ]);
    expect(args).not.toContain("-re");
    await pipeline.whenReady(30_000);
    expect(pipeline.state).toBe("live");
    expectPlayable(pipeline.playlistPath);
    // Live: no end tag, and the window keeps rolling while the listener sends.
    const first = await readMedia(pipeline.playlistPath);
    expect(first?.endList).toBe(false);
    const rolled = await waitFor(async () => {
      const p = await readMedia(pipeline.playlistPath);
      return p && first && p.mediaSequence >= first.mediaSequence + 2 ? p : undefined;
    }, 30_000);
    expect(rolled.endList).toBe(false);
    expect(rolled.segments.length).toBeLessThanOrEqual(3);
    expect(segments.length).toBeGreaterThan(0);
    expect(server.alive()).toBe(true);
    expectPlayable(pipeline.playlistPath);
    await pipeline.stop();
  });
});

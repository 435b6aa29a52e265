import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  HlsPipeline,
  type LadderRung,
  packageVod,
  parseMasterPlaylist,
  parseMediaPlaylist,
} from "@mpvstream/hls";
import { afterEach, describe, expect, it } from "vitest";
import { ffprobeJson, fileDuration, makeClip, quietStop, readMedia, tempDir, waitFor } from "./helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Tiny rungs keep this short on a shared 2-core machine; the benchmark runs the real 720p/480p/360p.
const ladder: LadderRung[] = [
  { name: "hi", width: 320, height: 180, videoBitrateKbps: 300, audioBitrateKbps: 64 },
  { name: "mid", width: 256, height: 144, videoBitrateKbps: 200, audioBitrateKbps: 64 },
  { name: "lo", width: 192, height: 108, videoBitrateKbps: 100, audioBitrateKbps: 48 },
];

describe("ABR ladder (real ffmpeg)", () => {
  it("one ffmpeg writes a master index.m3u8 and three variants of the right sizes", async () => {
    const { dir, cleanup } = await tempDir();
    const pipeline = new HlsPipeline({
      source: { kind: "test", width: 320, height: 180, fps: 15 },
      outputDir: join(dir, "out"),
      segmentSeconds: 1,
      readySegments: 1,
      ladder,
      encode: { preset: "ultrafast" },
    });
    cleanups.push(cleanup, () => quietStop(pipeline));
    await pipeline.start();
    await pipeline.whenReady(45_000);
    const master = parseMasterPlaylist(await readFile(pipeline.playlistPath, "utf8"));
    expect(master.variants.map((v) => [v.uri, v.resolution])).toEqual([
      ["hi.m3u8", { width: 320, height: 180 }],
      ["mid.m3u8", { width: 256, height: 144 }],
      ["lo.m3u8", { width: 192, height: 108 }],
    ]);
    expect(master.variants.every((v) => v.bandwidth > 0 && v.codecs?.includes("avc1"))).toBe(true);
    for (const rung of ladder) {
      const playlist = await waitFor(() => readMedia(join(pipeline.options.outputDir, `${rung.name}.m3u8`)));
      const first = playlist.segments[0];
      expect(first).toBeDefined();
      const probe = ffprobeJson([
        "-select_streams",
        "v:0",
        "-show_entries",
        "stream=width,height",
        join(pipeline.options.outputDir, first?.uri ?? ""),
      ]) as { streams: Array<{ width: number; height: number }> };
      expect(probe.streams[0]).toEqual({ width: rung.width, height: rung.height });
    }
  });
});

describe("VOD packaging (real ffmpeg)", () => {
  it("packages a file as a VOD playlist whose segments add up to the file", async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const clip = join(dir, "clip.mp4");
    makeClip(clip, 3);
    const progress: number[] = [];
    const result = await packageVod({
      input: clip,
      outputDir: join(dir, "vod"),
      segmentSeconds: 1,
      onProgress: (p) => progress.push(p.outTimeMs),
    });
    expect(result.copied).toBe(true);
    const playlist = parseMediaPlaylist(await readFile(result.playlistPath, "utf8"));
    expect(playlist.playlistType).toBe("VOD");
    expect(playlist.endList).toBe(true);
    const total = playlist.segments.reduce((sum, s) => sum + s.duration, 0);
    expect(Math.abs(total - fileDuration(clip))).toBeLessThan(0.2);
    expect(progress.length).toBeGreaterThan(0);
  });

  it("rejects a missing input with file_not_found and leaves no output", async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    await expect(
      packageVod({ input: join(dir, "none.mp4"), outputDir: join(dir, "vod") }),
    ).rejects.toMatchObject({
      code: "file_not_found",
    });
    await rm(join(dir, "vod"), { recursive: true, force: true });
  });
});

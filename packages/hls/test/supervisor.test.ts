import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type CrashInfo,
  type HlsError,
  HlsPipeline,
  type HlsPipelineOptions,
  parseMediaPlaylist,
} from "@mpvstream/hls";
import { afterEach, describe, expect, it } from "vitest";
import { quietStop, readMedia, tempDir, tiny, waitFor } from "./helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function testPipeline(extra: Partial<HlsPipelineOptions> = {}) {
  const { dir, cleanup } = await tempDir();
  const pipeline = new HlsPipeline({
    source: { kind: "test", ...tiny },
    outputDir: join(dir, "out"),
    segmentSeconds: 1,
    readySegments: 1,
    encode: { preset: "ultrafast" },
    ...extra,
  });
  cleanups.push(cleanup, () => quietStop(pipeline));
  return pipeline;
}

describe("supervisor (real ffmpeg)", () => {
  it("restarts a killed ffmpeg with backoff, reports the crash, and the playlist resumes", async () => {
    const pipeline = await testPipeline({ backoff: { initialMs: 200 } });
    const crashes: CrashInfo[] = [];
    const starts: boolean[] = [];
    pipeline.on("crash", (crash) => crashes.push(crash));
    pipeline.on("start", (info) => starts.push(info.restart));
    await pipeline.start();
    await pipeline.whenReady(30_000);
    const before = await waitFor(async () => {
      const p = await readMedia(pipeline.playlistPath);
      return p && p.segments.length >= 2 ? p : undefined;
    });
    const lastBefore = before.mediaSequence + before.segments.length - 1;
    const firstPid = pipeline.pid;
    process.kill(firstPid as number, "SIGKILL");

    await waitFor(() => (crashes.length === 1 ? true : undefined));
    expect(crashes[0]).toMatchObject({ signal: "SIGKILL", restartInMs: 200, crashes: 1 });
    expect(crashes[0]?.error.code).toBe("ffmpeg_crashed");
    expect(Array.isArray(crashes[0]?.lastLines)).toBe(true);
    await pipeline.whenReady(30_000);
    expect(starts).toEqual([false, true]);
    expect(pipeline.pid).not.toBe(firstPid);

    const after = await waitFor(async () => {
      const p = await readMedia(pipeline.playlistPath);
      const newest = p ? p.mediaSequence + p.segments.length - 1 : -1;
      return p && newest >= lastBefore + 2 ? p : undefined;
    });
    // Same playlist, continued: a discontinuity marks the restart and numbering goes on.
    expect(after.segments.some((s) => s.discontinuity)).toBe(true);
    expect(after.mediaSequence).toBeGreaterThanOrEqual(before.mediaSequence);
  });

  it("gives up after too many crashes in the window and reports failed with gave_up", async () => {
    const pipeline = await testPipeline({ backoff: { initialMs: 50, maxCrashes: 1, windowMs: 60_000 } });
    const failed: HlsError[] = [];
    let readyCount = 0;
    pipeline.on("failed", (error) => failed.push(error));
    pipeline.on("ready", () => {
      readyCount += 1;
    });
    await pipeline.start();
    await pipeline.whenReady(30_000);
    process.kill(pipeline.pid as number, "SIGKILL");
    await waitFor(() => (readyCount === 2 ? true : undefined), 30_000);
    process.kill(pipeline.pid as number, "SIGKILL");
    await waitFor(() => (failed.length > 0 ? true : undefined));
    expect(failed[0]?.code).toBe("gave_up");
    expect(failed[0]?.cause).toMatchObject({ code: "ffmpeg_crashed" });
    expect(pipeline.state).toBe("failed");
    expect(pipeline.pid).toBeUndefined();
  });

  it("stops gracefully: ffmpeg ends the playlist with EXT-X-ENDLIST", async () => {
    const pipeline = await testPipeline();
    const exits: string[] = [];
    pipeline.on("exit", (info) => exits.push(info.reason));
    await pipeline.start();
    await pipeline.whenReady(30_000);
    await pipeline.stop({ timeoutMs: 5000 });
    expect(pipeline.state).toBe("stopped");
    expect(exits).toEqual(["stopped"]);
    const playlist = parseMediaPlaylist(await readFile(pipeline.playlistPath, "utf8"));
    expect(playlist.endList).toBe(true);
  });

  it("a stop() while start() is still checking wins: nothing is spawned", async () => {
    const pipeline = await testPipeline();
    const spawned: number[] = [];
    pipeline.on("start", ({ pid }) => spawned.push(pid));
    const starting = pipeline.start();
    await pipeline.stop();
    await expect(starting).rejects.toMatchObject({ name: "HlsError", code: "not_running" });
    expect(pipeline.state).toBe("stopped");
    expect(pipeline.pid).toBeUndefined();
    expect(spawned).toEqual([]);
  });

  it("restart() replaces the process and continues the playlist", async () => {
    const pipeline = await testPipeline();
    await pipeline.start();
    await pipeline.whenReady(30_000);
    const firstPid = pipeline.pid;
    await pipeline.restart();
    await pipeline.whenReady(30_000);
    expect(pipeline.pid).not.toBe(firstPid);
    const playlist = await waitFor(async () => {
      const p = await readMedia(pipeline.playlistPath);
      return p && !p.endList && p.segments.some((s) => s.discontinuity) ? p : undefined;
    });
    expect(playlist.segments.length).toBeGreaterThan(1);
  });

  it("a listener that nobody publishes to times out when readyTimeoutMs is set", async () => {
    const { freePort } = await import("./helpers.js");
    const port = await freePort();
    const pipeline = await testPipeline({
      source: { kind: "rtmp", port, host: "127.0.0.1" },
      readyTimeoutMs: 1000,
      backoff: { maxCrashes: 0 },
    });
    await pipeline.start();
    const error = await pipeline.whenReady(30_000).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "gave_up" });
    expect(((error as HlsError).cause as HlsError).code).toBe("timeout");
  });
});

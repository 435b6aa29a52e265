import { createSocket } from "node:dgram";
import { writeFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { findFfmpeg, HlsPipeline, isHlsError, probe } from "@mpvstream/hls";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, serveSrt, tempDir } from "./helpers.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startError(
  source: ConstructorParameters<typeof HlsPipeline>[0]["source"],
  ffmpegPath?: string,
) {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const pipeline = new HlsPipeline({
    source,
    outputDir: join(dir, "out"),
    ...(ffmpegPath ? { ffmpegPath } : {}),
  });
  const error = await pipeline.start().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isHlsError(error)).toBe(true);
  expect(pipeline.state).toBe("idle");
  expect(pipeline.pid).toBeUndefined();
  return error as { code: string; message: string };
}

describe("findFfmpeg", () => {
  it("finds ffmpeg and ffprobe on PATH with their versions", async () => {
    const found = await findFfmpeg();
    expect(found.ffmpeg.version).toMatch(/^\d+\.\d+/);
    expect(found.ffprobe.version).toMatch(/^\d+\.\d+/);
  });
  it("names the package to install when ffmpeg is missing", async () => {
    await expect(findFfmpeg({ ffmpegPath: "/nonexistent/ffmpeg" })).rejects.toMatchObject({
      code: "ffmpeg_not_found",
      message: expect.stringContaining("apt-get install ffmpeg"),
    });
  });
});

describe("bad input gives a typed error, never a hang", () => {
  it("missing file: file_not_found", async () => {
    const error = await startError({ kind: "file", path: "/nonexistent/clip.mp4" });
    expect(error.code).toBe("file_not_found");
  });

  it("a file that is not media: input_invalid", async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    await writeFile(join(dir, "notes.mp4"), "this is not a video\n".repeat(100));
    const error = await startError({ kind: "file", path: join(dir, "notes.mp4") });
    expect(error.code).toBe("input_invalid");
  });

  it("connection refused: input_unreachable", async () => {
    const port = await freePort();
    const error = await startError({
      kind: "url",
      url: `http://127.0.0.1:${port}/live.m3u8`,
      timeoutMs: 3000,
    });
    expect(error.code).toBe("input_unreachable");
  });

  it("a server that accepts and never answers: fails within the URL timeout", async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      server.close();
    });
    const { port } = server.address() as { port: number };
    const error = await startError({ kind: "url", url: `http://127.0.0.1:${port}/x.m3u8`, timeoutMs: 1500 });
    expect(["input_unreachable", "timeout"]).toContain(error.code);
  });

  it("an SRT URL where nothing listens: input_unreachable within its timeout, pipeline idle again", async () => {
    const port = await freePort("udp");
    const url = `srt://127.0.0.1:${port}`;
    const began = Date.now();
    const error = await startError({ kind: "url", url, timeoutMs: 1500 });
    expect(error.code).toBe("input_unreachable");
    expect(error.message).toContain(url);
    // Generous: the point is that it answers (a hang would last until the test's timeout).
    expect(Date.now() - began).toBeLessThan(20_000);
  });

  it("an SRT listener that accepts and never sends: fails within the URL timeout", async () => {
    const port = await freePort("udp");
    const silent = await serveSrt(port, { silent: true });
    cleanups.push(silent.close);
    const url = `srt://127.0.0.1:${port}`;
    const began = Date.now();
    const error = await startError({ kind: "url", url, timeoutMs: 1500 });
    expect(["input_unreachable", "timeout"]).toContain(error.code);
    expect(error.message).toContain(url);
    expect(Date.now() - began).toBeLessThan(20_000);
  });

  it("stop() while start() waits for an SRT stream: start rejects with not_running, state stopped", async () => {
    const port = await freePort("udp");
    const silent = await serveSrt(port, { silent: true });
    cleanups.push(silent.close);
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const pipeline = new HlsPipeline({
      source: { kind: "url", url: `srt://127.0.0.1:${port}`, timeoutMs: 10_000 },
      outputDir: join(dir, "out"),
    });
    const spawned = new Promise((resolve) => pipeline.once("start", resolve));
    const started = pipeline.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    await spawned;
    await pipeline.stop({ timeoutMs: 3000 });
    expect(await started).toMatchObject({ name: "HlsError", code: "not_running" });
    expect(pipeline.state).toBe("stopped");
    expect(pipeline.pid).toBeUndefined();
  });

  it("RTMP port in use: port_in_use", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => void server.close());
    const { port } = server.address() as { port: number };
    const error = await startError({ kind: "rtmp", port, host: "127.0.0.1" });
    expect(error.code).toBe("port_in_use");
  });

  it("SRT port in use: port_in_use", async () => {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    cleanups.push(() => {
      socket.close();
    });
    const error = await startError({ kind: "srt", port: socket.address().port, host: "127.0.0.1" });
    expect(error.code).toBe("port_in_use");
  });

  it("ffmpeg missing: ffmpeg_not_found", async () => {
    const error = await startError({ kind: "test" }, "/nonexistent/ffmpeg");
    expect(error.code).toBe("ffmpeg_not_found");
  });

  it("probe reports streams of a real file and file_not_found for a missing one", async () => {
    await expect(probe("/nonexistent.mp4")).rejects.toMatchObject({ code: "file_not_found" });
  });
});

import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HlsPipeline, MediaPlaylist } from "@mpvstream/hls";
import { parseMediaPlaylist } from "@mpvstream/hls";

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(prefix = "hls-test-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Small encodes only: the machine is shared. */
export const tiny = { width: 320, height: 180, fps: 25 } as const;

/** Writes a short 320x180 H.264/AAC MP4 clip with keyframes every second. */
export function makeClip(path: string, seconds = 3): void {
  const result = spawnSync(
    "ffmpeg",
    [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=320x180:rate=25:duration=${seconds}`,
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-g",
      "25",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-shortest",
      // moov first: a plain HTTP server without Range support can then stream it.
      "-movflags",
      "+faststart",
      path,
    ],
    { encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`could not make a clip: ${result.stderr}`);
}

/** Waits until `check` returns a value (not undefined), or throws after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Reads and parses a media playlist, or undefined when it is missing or half written. */
export async function readMedia(path: string): Promise<MediaPlaylist | undefined> {
  try {
    return parseMediaPlaylist(await readFile(path, "utf8"));
  } catch {
    return undefined;
  }
}

/** Runs ffprobe and returns its parsed JSON. */
export function ffprobeJson(args: string[]): Record<string, unknown> {
  const result = spawnSync("ffprobe", ["-v", "error", "-of", "json", ...args], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`ffprobe failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** Video frames of one file: whether each is a keyframe, and its time. */
export function videoFrames(path: string): Array<{ key_frame: number; pts_time?: string }> {
  const json = ffprobeJson(["-select_streams", "v:0", "-show_entries", "frame=key_frame,pts_time", path]);
  return json.frames as Array<{ key_frame: number; pts_time?: string }>;
}

/** Duration of a file per ffprobe, in seconds. */
export function fileDuration(path: string): number {
  const json = ffprobeJson(["-show_entries", "format=duration", path]) as { format: { duration: string } };
  return Number(json.format.duration);
}

/**
 * ffmpeg arguments that encode a live 320x180 test pattern with a tone (H.264/AAC, one keyframe a
 * second) to `url` in `format`, for `seconds` or until stopped: the publisher or sender of the
 * listener and pull tests.
 */
function liveTestPatternArgs(format: "flv" | "mpegts", url: string, seconds?: number): string[] {
  return [
    ...["-hide_banner", "-loglevel", "error"],
    ...["-re", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25"],
    ...["-re", "-f", "lavfi", "-i", "sine=sample_rate=48000"],
    ...(seconds === undefined ? [] : ["-t", String(seconds)]),
    ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac"],
    ...["-f", format, url],
  ];
}

/** Publishes a short test pattern with a second ffmpeg (to an RTMP or SRT listener); resolves when it exits. */
export function publish(url: string, format: "flv" | "mpegts", seconds: number): Promise<number | null> {
  const child = spawn("ffmpeg", liveTestPatternArgs(format, url, seconds), { stdio: "ignore" });
  return new Promise((resolve) => child.on("close", (code) => resolve(code)));
}

/** Stops a pipeline and ignores errors (for teardown). */
export async function quietStop(pipeline: HlsPipeline | undefined): Promise<void> {
  await pipeline?.stop({ timeoutMs: 3000 }).catch(() => undefined);
}

/** A port that was free a moment ago (TCP or UDP). */
export async function freePort(kind: "tcp" | "udp" = "tcp"): Promise<number> {
  if (kind === "udp") {
    const { createSocket } = await import("node:dgram");
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const { port } = socket.address();
    await new Promise<void>((resolve) => socket.close(resolve));
    return port;
  }
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Serves a directory over HTTP on a random loopback port. */
export async function serveDir(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const { createServer } = await import("node:http");
  const { createReadStream } = await import("node:fs");
  const { stat } = await import("node:fs/promises");
  const server = createServer(async (req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname).replace(/^\/+/, "");
    if (name.includes("..") || name.includes("/")) return void res.writeHead(400).end();
    const path = join(dir, name);
    try {
      const info = await stat(path);
      res.writeHead(200, { "content-length": info.size });
      createReadStream(path).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves once something has bound a UDP port on 127.0.0.1 (binding it ourselves fails). */
export async function udpPortTaken(port: number, timeoutMs = 15_000): Promise<void> {
  const { createSocket } = await import("node:dgram");
  await waitFor(
    () =>
      new Promise<true | undefined>((resolve) => {
        const socket = createSocket("udp4");
        socket.once("error", () => {
          socket.close();
          resolve(true);
        });
        socket.bind({ port, address: "127.0.0.1", exclusive: true }, () =>
          socket.close(() => resolve(undefined)),
        );
      }),
    timeoutMs,
  );
}

/**
 * A second ffmpeg that serves a live 320x180 H.264/AAC MPEG-TS test pattern as an SRT
 * listener on 127.0.0.1:port (one caller, like ffmpeg's and OBS's listeners); resolves once
 * the port is bound. `silent` listens as a receiver instead, so a caller connects and gets
 * no data.
 */
export async function serveSrt(
  port: number,
  options: { silent?: boolean } = {},
): Promise<{ alive: () => boolean; stderr: () => string; close: () => Promise<void> }> {
  const url = `srt://127.0.0.1:${port}?mode=listener`;
  const args = options.silent
    ? ["-hide_banner", "-loglevel", "error", "-i", url, "-f", "null", "-"]
    : liveTestPatternArgs("mpegts", url);
  const child = spawn("ffmpeg", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let exited = false;
  void closed.then(() => {
    exited = true;
  });
  const close = async (): Promise<void> => {
    if (!exited) child.kill("SIGKILL");
    await closed;
  };
  try {
    await udpPortTaken(port);
  } catch (error) {
    await close();
    throw new Error(`the SRT listener did not bind ${port}: ${stderr}`, { cause: error });
  }
  return { alive: () => !exited, stderr: () => stderr, close };
}

/**
 * Resolves once a socket is bound to the port on this machine (a TCP socket listening, or a UDP
 * socket bound), read from /proc/net without connecting: a probe connection would use up a
 * single-client ffmpeg listener. A publisher started before the listener is bound is refused
 * and gives up, which on a loaded machine left the listener waiting forever.
 */
export async function waitListening(
  port: number,
  kind: "tcp" | "udp" = "tcp",
  timeoutMs = 20_000,
): Promise<void> {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const file of kind === "tcp"
      ? ["/proc/net/tcp", "/proc/net/tcp6"]
      : ["/proc/net/udp", "/proc/net/udp6"]) {
      const table = await readFile(file, "utf8").catch(() => "");
      for (const line of table.split("\n").slice(1)) {
        const [, local, , state] = line.trim().split(/\s+/);
        // TCP state 0A is LISTEN; a bound UDP socket is enough.
        if (local?.endsWith(`:${hex}`) && (kind === "udp" || state === "0A")) return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing ${kind === "tcp" ? "listens" : "is bound"} on port ${port} after ${timeoutMs} ms`);
}

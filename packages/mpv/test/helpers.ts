import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";

/** mpv options for tests: no window, no sound, no user config. */
export const HEADLESS = ["--vo=null", "--ao=null"] as const;

/** Encodes a tiny test-pattern HLS stream (1 s segments) with real ffmpeg; returns the directory. */
export async function encodeHls(seconds: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "mpv-test-hls-"));
  await new Promise<void>((resolve, reject) => {
    execFile(
      "ffmpeg",
      [
        ...["-hide_banner", "-loglevel", "error", "-nostdin"],
        ...["-f", "lavfi", "-i", "testsrc=size=160x90:rate=10"],
        ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=22050"],
        ...["-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-threads", "1"],
        ...["-c:a", "aac", "-b:a", "32k", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod"],
        ...["-hls_segment_filename", path.join(dir, "seg%03d.ts"), path.join(dir, "index.m3u8")],
      ],
      { timeout: 60_000 },
      (error) => (error ? reject(error) : resolve()),
    );
  });
  return dir;
}

/** One request the test server saw. */
export interface SeenRequest {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A node:http server on port 0 serving an HLS directory, recording every request. */
export interface TestServer {
  readonly origin: string;
  readonly requests: SeenRequest[];
  /** Answers with this status instead of the file when it returns a number. */
  intercept: (url: string) => number | string | undefined;
  close(): Promise<void>;
}

export async function serveHls(dir: string): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const state: { intercept: TestServer["intercept"] } = { intercept: () => undefined };
  const server: Server = createServer((req, res) => {
    const url = req.url ?? "/";
    requests.push({ url, headers: req.headers });
    const override = state.intercept(url);
    if (typeof override === "number") {
      res.writeHead(override).end();
      return;
    }
    if (typeof override === "string") {
      res.writeHead(200, { "content-type": "application/vnd.apple.mpegurl" }).end(override);
      return;
    }
    const file = path.join(dir, path.basename(url.split("?")[0] ?? ""));
    readFile(file).then(
      (body) => res.writeHead(200).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    get intercept() {
      return state.intercept;
    },
    set intercept(fn) {
      state.intercept = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Resolves when `check` returns true, polling; rejects after `ms`. */
export async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Whether a process id is alive (zombies count as gone only once reaped, so check /proc too). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

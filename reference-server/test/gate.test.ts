import { mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from "node:fs/promises";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGate, type GateRefusal, type GateSession } from "../src/media/gate.js";
import { SegmentCache } from "../src/media/segment-cache.js";

const SESSION = "s".repeat(22);
const OTHER = "o".repeat(22);
const EXPIRED = "e".repeat(22);
const STOPPED = "x".repeat(22);
const OFFLINE = "f".repeat(22);

let root: string;
let port: number;
let server: http.Server;
const now = 1_000_000;
const refusals: GateRefusal[] = [];
const cache = new SegmentCache({ maxBytes: 1024 * 1024 });
const sessions = new Map<string, GateSession>([
  [SESSION, { streamId: "demo", expiresAt: now + 60_000, endedAt: null }],
  [OTHER, { streamId: "other", expiresAt: now + 60_000, endedAt: null }],
  [EXPIRED, { streamId: "demo", expiresAt: now - 10_001, endedAt: null }],
  [STOPPED, { streamId: "demo", expiresAt: now + 60_000, endedAt: now }],
  [OFFLINE, { streamId: "offline", expiresAt: now + 60_000, endedAt: null }],
]);

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "gate-"));
  const hls = path.join(root, "hls");
  for (const stream of ["demo", "other", "offline"])
    await mkdir(path.join(hls, stream, "v0"), { recursive: true });
  await writeFile(path.join(hls, "demo", "index.m3u8"), "#EXTM3U\n#EXT-X-VERSION:3\nseg0.ts\n");
  await writeFile(path.join(hls, "demo", "seg0.ts"), Buffer.alloc(188 * 10, 0x47));
  await writeFile(path.join(hls, "demo", "v0", "index.m3u8"), "#EXTM3U\n");
  await writeFile(path.join(hls, "other", "secret.ts"), "other stream");
  await writeFile(path.join(root, "outside.ts"), "outside");
  await writeFile(path.join(root, "keys.json"), "{}");
  await symlink(path.join(root, "outside.ts"), path.join(hls, "demo", "link.ts"));
  await symlink(root, path.join(hls, "demo", "up"));
  for (const stream of ["demo", "other", "offline"]) cache.watch(path.join(hls, stream));
  const gate = createGate({
    hlsRoot: hls,
    cache,
    lookupSession: (id) => sessions.get(id),
    isStreamLive: (id) => id !== "offline",
    clock: () => now,
    onRefusal: (reason) => refusals.push(reason),
  });
  server = http.createServer((req, res) => {
    if (!gate(req, res)) res.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  cache.close();
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

/** Sends the request line byte for byte over a socket (an HTTP client would normalize or refuse `..`, `\\`, NUL). */
function raw(
  target: string,
  method = "GET",
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`, "latin1");
    });
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") });
    });
  });
}

describe("gate", () => {
  it("serves the playlist with no-cache and segments as immutable", async () => {
    const playlist = await raw(`/play/${SESSION}/index.m3u8`);
    expect(playlist.status).toBe(200);
    expect(playlist.headers["content-type"]).toBe("application/vnd.apple.mpegurl");
    expect(playlist.headers["cache-control"]).toBe("no-cache");
    expect(playlist.body).toContain("#EXTM3U");
    const segment = await raw(`/play/${SESSION}/seg0.ts`);
    expect(segment.status).toBe(200);
    expect(segment.headers["content-type"]).toBe("video/mp2t");
    expect(segment.headers["cache-control"]).toContain("immutable");
    expect(segment.body.length).toBe(1880);
    expect((await raw(`/play/${SESSION}/v0/index.m3u8`)).status).toBe(200);
  });

  it("answers HEAD with headers and no body", async () => {
    const head = await raw(`/play/${SESSION}/seg0.ts`, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe("1880");
    expect(head.body).toBe("");
    expect((await raw(`/play/${SESSION}/seg0.ts`, "POST")).status).toBe(405);
  });

  it.each([
    ["an unknown session", `/play/${"u".repeat(22)}/index.m3u8`, "unknown_session"],
    ["a stopped session", `/play/${STOPPED}/index.m3u8`, "session_ended"],
    ["a session past expiry and grace", `/play/${EXPIRED}/index.m3u8`, "session_expired"],
    ["a session whose stream is offline", `/play/${OFFLINE}/index.m3u8`, "stream_not_live"],
  ])("refuses %s with 403 session_inactive", async (_name, url, reason) => {
    const answer = await raw(url);
    expect(answer.status).toBe(403);
    expect(answer.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(answer.body)).toMatchObject({ code: "session_inactive", status: 403 });
    expect(refusals.at(-1)).toBe(reason);
  });

  it("honours a session until expires_at plus the grace", async () => {
    const id = "g".repeat(22);
    sessions.set(id, { streamId: "demo", expiresAt: now - 9_999, endedAt: null });
    expect((await raw(`/play/${id}/index.m3u8`)).status).toBe(200);
    sessions.set(id, { streamId: "demo", expiresAt: now - 10_001, endedAt: null });
    expect((await raw(`/play/${id}/index.m3u8`)).status).toBe(403);
  });

  const traversal = [
    "../outside.ts",
    "../../outside.ts",
    "..%2foutside.ts",
    "%2e%2e/outside.ts",
    "%2e%2e%2foutside.ts",
    "%252e%252e%252foutside.ts",
    "..\\outside.ts",
    "..%5coutside.ts",
    "%5c..%5coutside.ts",
    "seg0.ts%00.m3u8",
    "seg0.ts\0.m3u8",
    "/etc/passwd",
    "//etc/passwd.ts",
    "%2fetc%2fpasswd.ts",
    "../other/secret.ts",
    "./seg0.ts",
    "v0/../../outside.ts",
    "link.ts",
    "up/outside.ts",
    "up/hls/other/secret.ts",
    ".hidden.ts",
    "..",
    "...",
    "seg0.ts/",
    "v0//index.m3u8",
    "../keys.json",
    "index.m3u8/..",
    "%c0%ae%c0%ae/outside.ts",
    "..%c0%afoutside.ts",
  ];

  it.each(traversal)("never serves anything outside the stream directory for %j", async (attack) => {
    const answer = await raw(`/play/${SESSION}/${attack}`);
    expect(answer.status).not.toBe(200);
    expect(answer.body).not.toContain("outside");
    expect(answer.body).not.toContain("other stream");
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
  });

  it("serves only the session's own stream", async () => {
    expect((await raw(`/play/${OTHER}/secret.ts`)).status).toBe(200);
    expect((await raw(`/play/${SESSION}/secret.ts`)).status).toBe(404);
  });

  it("serves a rewritten playlist at once, and forgets a deleted segment", async () => {
    const dir = path.join(root, "hls", "demo");
    expect((await raw(`/play/${SESSION}/index.m3u8`)).body).toContain("seg0.ts");
    await writeFile(path.join(dir, "index.m3u8.tmp"), "#EXTM3U\nseg1.ts\n");
    await rename(path.join(dir, "index.m3u8.tmp"), path.join(dir, "index.m3u8"));
    await expect.poll(async () => (await raw(`/play/${SESSION}/index.m3u8`)).body).toContain("seg1.ts");
    expect((await raw(`/play/${SESSION}/seg0.ts`)).status).toBe(200);
    await unlink(path.join(dir, "seg0.ts"));
    await expect.poll(async () => (await raw(`/play/${SESSION}/seg0.ts`)).status).toBe(404);
  });

  it("leaves other paths to the next handler", async () => {
    expect((await raw("/healthz")).status).toBe(418);
  });
});

describe("SegmentCache", () => {
  it("keeps at most maxBytes, dropping the least recently used", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "cache-"));
    const small = new SegmentCache({ maxBytes: 2500, maxFileBytes: 1000 });
    small.watch(dir);
    for (const name of ["a", "b", "c"]) await writeFile(path.join(dir, name), Buffer.alloc(1000));
    await small.get(path.join(dir, "a"), dir);
    await small.get(path.join(dir, "b"), dir);
    small.get(path.join(dir, "a"), dir);
    await small.get(path.join(dir, "c"), dir);
    expect(small.bytes).toBe(2000);
    const missesBefore = small.misses;
    small.get(path.join(dir, "a"), dir);
    expect(small.misses).toBe(missesBefore);
    await small.get(path.join(dir, "b"), dir);
    expect(small.misses).toBe(missesBefore + 1);
    small.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("shares one disk read among concurrent misses", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "cache-"));
    const shared = new SegmentCache();
    shared.watch(dir);
    await writeFile(path.join(dir, "seg.ts"), "x");
    const reads = await Promise.all(
      Array.from({ length: 20 }, () => shared.get(path.join(dir, "seg.ts"), dir)),
    );
    expect(new Set(reads).size).toBe(1);
    expect(shared.misses).toBe(20);
    expect(shared.get(path.join(dir, "seg.ts"), dir)).toBeInstanceOf(Buffer);
    shared.close();
    await rm(dir, { recursive: true, force: true });
  });
});

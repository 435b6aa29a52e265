// The NGINX edge (nginxEdgeConfig) with a real NGINX in front of the gate: NGINX serves /play/
// from the HLS directory after asking the gate (auth_request, answers cached per session).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, nginxConf, openToNginx, waitForPort } from "../bench/nginx.js";
import { nginxEdgeConfig } from "../src/media/edge.js";
import { createGate, EDGE_AUTH_PATH, type GateSession } from "../src/media/gate.js";
import { SegmentCache } from "../src/media/segment-cache.js";

const SESSION = "s".repeat(22);
const REVOKED = "r".repeat(22);
const EXPIRED = "e".repeat(22);
const OFFLINE = "f".repeat(22);
const AUTH_CACHE_S = 1;
const SEGMENT = Buffer.alloc(188 * 20, 0x47);

let root: string;
let work: string;
let origin: http.Server;
let nginx: ChildProcess;
let edge: string;
let asked = 0;
const cache = new SegmentCache({ maxBytes: 1024 * 1024 });
const sessions = new Map<string, GateSession>([
  [SESSION, { streamId: "demo", expiresAt: Date.now() + 600_000, endedAt: null }],
  [REVOKED, { streamId: "demo", expiresAt: Date.now() + 600_000, endedAt: null }],
  [EXPIRED, { streamId: "demo", expiresAt: Date.now() - 60_000, endedAt: null }],
  [OFFLINE, { streamId: "offline", expiresAt: Date.now() + 600_000, endedAt: null }],
]);

const get = async (url: string) => {
  const res = await fetch(`${edge}${url}`);
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
};

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "edge-"));
  const hls = path.join(root, "hls");
  await mkdir(path.join(hls, "demo", "v0"), { recursive: true });
  await mkdir(path.join(hls, "offline"), { recursive: true });
  await writeFile(path.join(hls, "demo", "index.m3u8"), "#EXTM3U\n#EXT-X-VERSION:3\nseg0.ts\n");
  await writeFile(path.join(hls, "demo", "seg0.ts"), SEGMENT);
  await writeFile(path.join(hls, "demo", "v0", "seg1.ts"), SEGMENT);
  await writeFile(path.join(hls, "offline", "index.m3u8"), "#EXTM3U\n");
  await writeFile(path.join(root, "outside.ts"), "outside");
  await symlink(path.join(root, "outside.ts"), path.join(hls, "demo", "link.ts"));
  openToNginx(hls);

  const gate = createGate({
    hlsRoot: hls,
    cache,
    lookupSession: (id) => sessions.get(id),
    isStreamLive: (id) => id !== "offline",
  });
  origin = http.createServer((req, res) => {
    if (req.url === EDGE_AUTH_PATH) asked++;
    if (!gate(req, res)) res.writeHead(418, { "content-type": "text/plain" }).end("the API");
  });
  await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));

  work = await mkdtemp(path.join(os.tmpdir(), "edge-nginx-"));
  openToNginx(work); // its workers (an unprivileged user under root) write the auth cache there
  const port = await freePort();
  const config = nginxEdgeConfig({
    listen: `127.0.0.1:${port}`,
    origin: `127.0.0.1:${(origin.address() as AddressInfo).port}`,
    hlsRoot: hls,
    cacheDir: path.join(work, "cache"),
    authCacheS: AUTH_CACHE_S,
  });
  await writeFile(path.join(work, "edge.conf"), config);
  await writeFile(path.join(work, "nginx.conf"), nginxConf(work, `include ${work}/edge.conf;`));
  nginx = spawn("nginx", ["-c", path.join(work, "nginx.conf"), "-p", work], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitForPort(port);
  edge = `http://127.0.0.1:${port}`;
}, 30_000);

afterAll(async () => {
  nginx?.kill("SIGTERM");
  await new Promise<void>((resolve) => origin?.close(() => resolve()));
  cache.close();
  await new Promise((resolve) => setTimeout(resolve, 200)); // NGINX leaves on SIGTERM
  await rm(root, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe("the NGINX edge", () => {
  it("serves a session's playlist and segments from disk, with the gate's types and caching", async () => {
    const playlist = await get(`/play/${SESSION}/index.m3u8`);
    expect(playlist.status).toBe(200);
    expect(playlist.body.toString()).toContain("seg0.ts");
    expect(playlist.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    expect(playlist.headers.get("cache-control")).toBe("no-cache");
    const segment = await get(`/play/${SESSION}/seg0.ts`);
    expect(segment.status).toBe(200);
    expect(segment.body.equals(SEGMENT)).toBe(true);
    expect(segment.headers.get("content-type")).toBe("video/mp2t");
    expect(segment.headers.get("cache-control")).toBe("private, max-age=86400, immutable");
    expect((await get(`/play/${SESSION}/v0/seg1.ts`)).status).toBe(200);
    expect((await get(`/play/${SESSION}/missing.ts`)).status).toBe(404);
  });

  it("asks the server once per session and cache period, not once per file", async () => {
    await new Promise((resolve) => setTimeout(resolve, AUTH_CACHE_S * 1000 + 100));
    const before = asked;
    const started = Date.now();
    for (let i = 0; i < 20; i++) expect((await get(`/play/${SESSION}/seg0.ts`)).status).toBe(200);
    // One question per cache period at most (however slow a loaded machine made the 20 requests).
    const periods = Math.ceil((Date.now() - started) / (AUTH_CACHE_S * 1000));
    expect(asked - before).toBeLessThanOrEqual(Math.min(periods + 1, 19));
  });

  it.each([
    ["an unknown session", `/play/${"u".repeat(22)}/index.m3u8`],
    ["an expired session", `/play/${EXPIRED}/index.m3u8`],
    ["a stream that is not live", `/play/${OFFLINE}/index.m3u8`],
  ])("refuses %s with 403", async (_, url) => {
    expect((await get(url)).status).toBe(403);
  });

  it.each([
    `/play/${SESSION}/../outside.ts`,
    `/play/${SESSION}/%2e%2e/outside.ts`,
    `/play/${SESSION}/..%2foutside.ts`,
    `/play/${SESSION}/link.ts`,
    `/play/${SESSION}/.hidden.ts`,
    `/play/${SESSION}/index.m3u8%00.ts`,
  ])("never serves anything outside the stream's directory: %s", async (url) => {
    const answer = await get(url);
    expect(answer.status).not.toBe(200);
    expect(answer.body.toString()).not.toContain("outside");
  });

  it("stops serving a revoked session within the auth cache period", async () => {
    expect((await get(`/play/${REVOKED}/seg0.ts`)).status).toBe(200);
    sessions.set(REVOKED, { streamId: "demo", expiresAt: Date.now() + 600_000, endedAt: Date.now() });
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 5000) {
      status = (await get(`/play/${REVOKED}/seg0.ts`)).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(403);
    expect(Date.now() - revokedAt).toBeLessThan((AUTH_CACHE_S + 2) * 1000);
  });

  it("passes the API through, but not the edge's own question", async () => {
    const api = await get("/streams");
    expect([api.status, api.body.toString()]).toEqual([418, "the API"]);
    expect((await get(EDGE_AUTH_PATH)).status).toBe(404);
  });
});

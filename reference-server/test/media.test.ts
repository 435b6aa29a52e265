import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { launchMpv } from "@mpvstream/mpv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineController } from "../src/app.js";
import { openDatabase } from "../src/db/database.js";
import type { PipelineStreamController } from "../src/media/pipelines.js";
import { http, type TestServer, testServer } from "./helpers.js";

const run = promisify(execFile);

/** Small, fast pipelines: this runs beside other work on two cores. */
const PIPELINE = {
  segmentSeconds: 1,
  windowSize: 6,
  testPattern: { width: 320, height: 180, fps: 25 },
  encode: { preset: "ultrafast" },
  backoff: { initialMs: 300, maxMs: 2_000 },
};

let server: TestServer;
let api: ReturnType<typeof http>;
let adminToken: string;
let offsetMs = 0;

async function until<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await probe();
  }
  return last;
}

const streamState = async (id: string) => (await api.get(`/streams/${id}`, adminToken)).body.state as string;

/** A viewer with points, logged in. */
async function viewer(points = 100): Promise<string> {
  const email = `viewer-${Math.random().toString(36).slice(2)}@example.test`;
  const created = await api.post(
    "/admin/users",
    { email, password: "viewer-password", role: "user", points_balance: points },
    adminToken,
  );
  expect(created.status).toBe(201);
  return (await api.login(email, "viewer-password")).access_token;
}

async function startSession(token: string, stream = "cam") {
  const started = await api.post("/playback/start", { stream_id: stream }, token);
  expect(started.status).toBe(201);
  return started.body as { session_id: string; playback_url: string; expires_at: string };
}

beforeAll(async () => {
  server = await testServer(
    "pglite",
    { sessionPeriodS: 60, sessionGraceS: 10 },
    { streamController: pipelineController(PIPELINE), clock: () => Date.now() + offsetMs },
  );
  api = http(server.url);
  adminToken = (await api.login("admin@example.test", "admin-password-1")).access_token;
  const created = await api.post(
    "/streams",
    { id: "cam", title: "Camera", points_per_minute: 1, source: { kind: "test" } },
    adminToken,
  );
  expect(created.status).toBe(201);
  const live = await api.post("/streams/cam/state", { state: "live" }, adminToken);
  expect(live.status).toBe(202);
  expect(["starting", "live"]).toContain(live.body.state);
  await until(
    "the stream to be live",
    () => streamState("cam"),
    (state) => state === "live",
  );
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe("media plane", () => {
  it("plays a paid session through the gate in mpv, then refuses it after stop", async () => {
    const token = await viewer();
    const session = await startSession(token);
    expect(session.playback_url).toBe(`${server.url}/play/${session.session_id}/index.m3u8`);

    const mpv = await launchMpv({ args: ["--vo=null", "--ao=null"], noConfig: true, stallTimeoutMs: 8_000 });
    try {
      await mpv.loadfile(session.playback_url);
      await mpv.firstFrame();
      const startPos = Number(await mpv.get("time-pos"));
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(Number(await mpv.get("time-pos"))).toBeGreaterThan(startPos + 1);
    } finally {
      await mpv.close();
    }

    const { stdout } = await run("ffprobe", [
      "-v",
      "error",
      "-show_streams",
      "-of",
      "json",
      session.playback_url,
    ]);
    const streams = (JSON.parse(stdout) as { streams: { codec_type: string; width?: number }[] }).streams;
    expect(streams.find((s) => s.codec_type === "video")?.width).toBe(320);
    expect(streams.some((s) => s.codec_type === "audio")).toBe(true);

    const renewed = await api.post("/playback/renew", { session_id: session.session_id }, token);
    expect(renewed.status).toBe(200);
    expect((await fetch(session.playback_url)).status).toBe(200);
    expect((await api.post("/playback/stop", { session_id: session.session_id }, token)).status).toBe(204);
    const after = await fetch(session.playback_url);
    expect(after.status).toBe(403);
    expect(await after.json()).toMatchObject({ code: "session_inactive" });
  }, 60_000);

  it("serves playlists uncached and segments as cacheable, with their content types", async () => {
    const session = await startSession(await viewer());
    const playlist = await fetch(session.playback_url);
    expect(playlist.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    expect(playlist.headers.get("cache-control")).toBe("no-cache");
    const text = await playlist.text();
    const segment = text.split("\n").find((line) => line.endsWith(".ts"));
    expect(segment).toBeDefined();
    const answer = await fetch(new URL(segment ?? "", session.playback_url));
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("video/mp2t");
    expect(answer.headers.get("cache-control")).toContain("immutable");
    const head = await fetch(session.playback_url, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  it("serves the playlist as the live window moves, never a stale copy", async () => {
    const session = await startSession(await viewer());
    const sequence = async () => {
      const text = await (await fetch(session.playback_url)).text();
      return Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1]);
    };
    const first = await sequence();
    await until("the media sequence to advance", sequence, (now) => now >= first + 2, 15_000);
  }, 30_000);

  it("refuses a session once expires_at plus the grace has passed", async () => {
    const session = await startSession(await viewer());
    expect((await fetch(session.playback_url)).status).toBe(200);
    const expiresAt = Date.parse(session.expires_at);
    offsetMs = expiresAt + 9_000 - Date.now();
    expect((await fetch(session.playback_url)).status).toBe(200);
    offsetMs = expiresAt + 11_000 - Date.now();
    expect((await fetch(session.playback_url)).status).toBe(403);
    offsetMs = 0;
  });

  it("refuses a revoked session at once", async () => {
    const session = await startSession(await viewer());
    expect((await fetch(session.playback_url)).status).toBe(200);
    const revoked = await api.call("DELETE", `/admin/sessions/${session.session_id}`, { token: adminToken });
    expect(revoked.status).toBe(204);
    expect((await fetch(session.playback_url)).status).toBe(403);
  });

  it("counts gate refusals as playback errors", async () => {
    const before = (await api.get("/monitoring/metrics", adminToken)).body.playback_errors as number;
    await fetch(`${server.url}/play/${"z".repeat(22)}/index.m3u8`);
    const after = (await api.get("/monitoring/metrics", adminToken)).body.playback_errors as number;
    expect(after).toBe(before + 1);
  });

  it("records a killed ffmpeg, and the stream is live again by itself", async () => {
    const controller = server.controller as PipelineStreamController;
    const dir = controller.dirOf("cam");
    const { stdout } = await run("pgrep", ["-f", `${dir}/index.m3u8`]);
    const pids = stdout.trim().split("\n").map(Number);
    expect(pids.length).toBeGreaterThan(0);
    const errorsBefore = (await api.get("/monitoring/metrics", adminToken)).body.playback_errors as number;
    for (const pid of pids) process.kill(pid, "SIGKILL");
    await until(
      "the stream to leave live",
      () => streamState("cam"),
      (state) => state !== "live",
      10_000,
    );
    const errors = (await api.get("/monitoring/errors", adminToken)).body.errors as {
      kind: string;
      stream_id?: string;
      last_message: string;
    }[];
    const crash = errors.find((e) => e.kind === "pipeline" && e.stream_id === "cam");
    expect(crash?.last_message).toMatch(/ffmpeg/);
    const errorsAfter = (await api.get("/monitoring/metrics", adminToken)).body.playback_errors as number;
    expect(errorsAfter).toBeGreaterThan(errorsBefore);
    await until(
      "the stream to be live again",
      () => streamState("cam"),
      (state) => state === "live",
      30_000,
    );
    expect(controller.isLive("cam")).toBe(true);
  }, 60_000);

  it("refuses invalid state changes with 409", async () => {
    const deleted = await api.call("DELETE", "/streams/cam", { token: adminToken });
    expect(deleted.status).toBe(409);
    expect(deleted.body.code).toBe("invalid_transition");
    await api.post(
      "/streams",
      { id: "idle", title: "Idle", points_per_minute: 1, source: { kind: "test" } },
      adminToken,
    );
    const restart = await api.post("/streams/idle/restart", {}, adminToken);
    expect(restart.status).toBe(409);
    expect(restart.body.code).toBe("invalid_transition");
    const start = await api.post("/playback/start", { stream_id: "idle" }, await viewer());
    expect(start.status).toBe(409);
    expect(start.body.code).toBe("stream_not_live");
  });

  it("a file too short for a first playlist ends the stream offline, with the reason recorded", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mpvstream-short-"));
    const file = join(dir, "short.mp4");
    await run("ffmpeg", [
      ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=25"],
      ...["-t", "0.5", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", file],
    ]);
    try {
      const source = { kind: "file", path: file, loop: false };
      await api.post("/streams", { id: "short", title: "Short", points_per_minute: 1, source }, adminToken);
      expect((await api.post("/streams/short/state", { state: "live" }, adminToken)).status).toBe(202);
      await until(
        "short to be offline",
        () => streamState("short"),
        (state) => state === "offline",
      );
      const errors = (await api.get("/monitoring/errors", adminToken)).body.errors as {
        kind: string;
        stream_id?: string;
        last_message: string;
      }[];
      expect(errors.find((e) => e.kind === "pipeline" && e.stream_id === "short")?.last_message).toMatch(
        /ended before/,
      );
      const controller = server.controller as PipelineStreamController;
      await expect(readdir(controller.dirOf("short"))).rejects.toMatchObject({ code: "ENOENT" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("stops the pipeline and cleans the directory when the stream goes offline", async () => {
    await api.post(
      "/streams",
      { id: "brief", title: "Brief", points_per_minute: 1, source: { kind: "test" } },
      adminToken,
    );
    await api.post("/streams/brief/state", { state: "live" }, adminToken);
    await until(
      "brief to be live",
      () => streamState("brief"),
      (state) => state === "live",
    );
    const controller = server.controller as PipelineStreamController;
    expect((await readdir(controller.dirOf("brief"))).some((f) => f.endsWith(".ts"))).toBe(true);
    const offline = await api.post("/streams/brief/state", { state: "offline" }, adminToken);
    expect(offline.status).toBe(202);
    await until(
      "brief to be offline",
      () => streamState("brief"),
      (state) => state === "offline",
    );
    await expect(readdir(controller.dirOf("brief"))).rejects.toMatchObject({ code: "ENOENT" });
  }, 60_000);
});

describe("restart of the server", () => {
  it("brings streams that were live back up", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "mpvstream-restart-"));
    const db = await openDatabase({ kind: "pglite", dataDir: join(dataDir, "pglite") });
    const options = { streamController: pipelineController(PIPELINE), database: db };
    try {
      const first = await testServer("pglite", { dataDir }, options);
      const firstApi = http(first.url);
      const admin = (await firstApi.login("admin@example.test", "admin-password-1")).access_token;
      await firstApi.post(
        "/streams",
        { id: "persist", title: "Persist", points_per_minute: 1, source: { kind: "test" } },
        admin,
      );
      await firstApi.post("/streams/persist/state", { state: "live" }, admin);
      const state = async (base: ReturnType<typeof http>) =>
        (await base.get("/streams/persist", admin)).body.state;
      await until(
        "persist to be live",
        () => state(firstApi),
        (value) => value === "live",
      );
      await first.close(1000);

      const second = await testServer("pglite", { dataDir }, options);
      try {
        const secondApi = http(second.url);
        expect(["error", "starting", "live"]).toContain(await state(secondApi));
        await until(
          "persist to be live after the restart",
          () => state(secondApi),
          (value) => value === "live",
        );
        expect((second.controller as PipelineStreamController).isLive("persist")).toBe(true);
      } finally {
        await second.close(1000);
      }
    } finally {
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});

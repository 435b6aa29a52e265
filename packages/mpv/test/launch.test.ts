import { existsSync } from "node:fs";
import * as path from "node:path";
import { type EndInfo, isMpvError, type LogEntry, launchMpv } from "@mpvstream/mpv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeHls, eventually, HEADLESS, removeDir, serveHls, type TestServer } from "./helpers.js";

let dir: string;
let server: TestServer;

beforeAll(async () => {
  dir = await encodeHls(3);
  server = await serveHls(dir);
  server.intercept = (url) => {
    if (url.includes("/forbidden")) return 403;
    if (url.startsWith("/gated/")) return url.includes("token=") ? undefined : 401;
    return undefined;
  };
});

afterAll(async () => {
  await server.close();
  await removeDir(dir);
});

describe("launchMpv over a real mpv", () => {
  it("reaches the first frame of an HLS stream, times it, and ends with eof", async () => {
    const player = await launchMpv({ args: [...HEADLESS], noConfig: true });
    try {
      expect(player.socketPath).toBeUndefined(); // socketpair: no socket file
      const loaded: string[] = [];
      player.on("file-loaded", () => loaded.push("file-loaded"));
      player.on("playback-restart", () => loaded.push("playback-restart"));
      const { playlistEntryId } = await player.loadfile(`${server.origin}/index.m3u8`);
      const frame = await player.firstFrame();
      expect(frame.msSinceLoad).toBeGreaterThan(0);
      expect(frame.msSinceLaunch).toBeGreaterThan(frame.msSinceLoad);
      expect(frame.playlistEntryId).toBe(playlistEntryId);
      expect(loaded).toEqual(["file-loaded", "playback-restart"]);
      expect(await player.get("filename")).toBe("index.m3u8");
      const end = await player.ended();
      expect(end).toMatchObject({ reason: "eof", playlistEntryId });
    } finally {
      await player.close();
    }
  });

  it("sends per-file headers with the playlist and every segment, and only for that file", async () => {
    const player = await launchMpv({ args: [...HEADLESS], noConfig: true });
    try {
      const secret = "s3cr,et\\val\\,ue";
      const before = server.requests.length;
      await player.loadfile(`${server.origin}/index.m3u8?run=headers`, {
        headers: { "X-Token": secret, "X-Other": "plain" },
      });
      await player.firstFrame();
      await player.ended();
      const seen = server.requests.slice(before);
      expect(seen.some((r) => r.url.startsWith("/index.m3u8"))).toBe(true);
      expect(seen.filter((r) => r.url.endsWith(".ts")).length).toBeGreaterThanOrEqual(3);
      for (const request of seen) {
        expect(request.headers["x-token"]).toBe(secret);
        expect(request.headers["x-other"]).toBe("plain");
      }
      // the next file gets none of them: the headers were file-local
      const next = server.requests.length;
      await player.loadfile(`${server.origin}/index.m3u8?run=after`);
      await player.firstFrame();
      for (const request of server.requests.slice(next)) expect(request.headers["x-token"]).toBeUndefined();
    } finally {
      await player.close();
    }
  });

  it.each([
    ["/forbidden.m3u8", 403],
    ["/missing.m3u8", 404],
  ])("surfaces %s as end-file error with HTTP %i, without logging the URL's secret", async (file, status) => {
    const logs: string[] = [];
    const player = await launchMpv({
      args: [...HEADLESS],
      noConfig: true,
      logger: { warn: (m) => logs.push(m), error: (m) => logs.push(m), debug: (m) => logs.push(m) },
    });
    try {
      const events: EndInfo[] = [];
      const lines: LogEntry[] = [];
      player.on("end-file", (end) => events.push(end));
      player.on("log", (entry) => lines.push(entry));
      await player.loadfile(`${server.origin}/private-session-4242${file}?token=abcdef`);
      const end = await player.ended();
      expect(end).toMatchObject({ reason: "error", error: "loading failed", httpStatus: status });
      await expect(player.firstFrame()).rejects.toMatchObject({ code: "playback_ended" });
      expect(events).toEqual([end]);
      expect(lines.some((line) => line.text.includes(`HTTP error ${status}`))).toBe(true);
      await eventually(() => logs.some((m) => m.includes("Failed to open")), 5000, "the failure log line");
      for (const text of [...logs, ...lines.map((l) => l.text)]) {
        expect(text).not.toContain("abcdef");
        expect(text).not.toContain("private-session-4242");
      }
    } finally {
      await player.close();
    }
  });

  it("fails fast with mpv's own message and exit code on a bad option", async () => {
    const error = await launchMpv({ args: ["--no-such-option-here=1", ...HEADLESS], noConfig: true }).catch(
      (e: unknown) => e,
    );
    expect(isMpvError(error, "start_failed")).toBe(true);
    expect((error as Error).message).toContain("no-such-option-here");
    expect((error as Error).message).toMatch(/exited with code [1-9]/);
    expect((error as { cause: { exitCode: number } }).cause.exitCode).toBeGreaterThan(0);
  });

  it.each([
    [["https://example.com/secret.m3u8"]],
    [["--input-ipc-server=/tmp/x"]],
    [["--idle=once"]],
    [["--vo=null\n--ao=null"]],
  ])("refuses %j before spawning", async (args) => {
    await expect(launchMpv({ args })).rejects.toMatchObject({ name: "MpvError", code: "invalid_option" });
  });

  it("reports a SIGKILLed mpv as an exit and ends playback with reason exit", async () => {
    const player = await launchMpv({ args: [...HEADLESS, "--loop-file=inf"], noConfig: true });
    const exits: unknown[] = [];
    let shutdown = false;
    player.on("exit", (exit) => exits.push(exit));
    player.on("shutdown", () => {
      shutdown = true;
    });
    await player.loadfile(`${server.origin}/index.m3u8`);
    await player.firstFrame();
    process.kill(player.pid ?? -1, "SIGKILL");
    const end = await player.ended();
    expect(end).toMatchObject({ reason: "exit", exit: { code: null, signal: "SIGKILL" } });
    expect(exits).toEqual([{ code: null, signal: "SIGKILL" }]);
    expect(shutdown).toBe(true);
    await expect(player.get("pause")).rejects.toMatchObject({ code: "ipc_closed" });
    expect(await player.close()).toEqual({ code: null, signal: "SIGKILL" });
  });

  it("gets, sets and observes properties, shows OSD text, refuses bad commands, and quits with a code", async () => {
    const output: string[] = [];
    const literal = ["$", "{mpv-version} stays literal"].join("");
    // --term-osd=force prints the OSD on mpv's terminal output, which the logger receives at debug
    const player = await launchMpv({
      args: [...HEADLESS, "--term-osd=force", "--msg-level=all=status"],
      noConfig: true,
      logger: { debug: (line) => output.push(line) },
    });
    try {
      const seen: unknown[] = [];
      const stop = await player.observe("volume", (value) => seen.push(value));
      await player.set("volume", 42);
      expect(await player.get("volume")).toBe(42);
      await eventually(() => seen.includes(42), 5000, "the volume change");
      await stop();
      await player.set("volume", 43);
      await player.get("volume"); // a round trip: any change event would have arrived before this reply
      expect(seen).not.toContain(43);
      await player.showText(literal, 1000);
      await eventually(() => output.some((l) => l.includes(literal)), 5000, "OSD text");
      await expect(player.command("no-such-command")).rejects.toMatchObject({ code: "command_failed" });
      await expect(player.get("no-such-property")).rejects.toMatchObject({ code: "command_failed" });
      expect(await player.request(["get_property", "idle-active"], { async: true })).toBe(true);
      expect(await player.quit(7)).toEqual({ code: 7, signal: null });
    } finally {
      await player.close();
    }
  });

  it("works in socket mode, and removes the socket as soon as it is connected", async () => {
    const player = await launchMpv({ args: [...HEADLESS], noConfig: true, ipc: "socket" });
    const socketPath = player.socketPath ?? "";
    expect(path.basename(path.dirname(socketPath))).toMatch(/^mpvstream-/);
    expect(existsSync(path.dirname(socketPath))).toBe(false);
    await player.loadfile(`${server.origin}/index.m3u8`);
    await player.firstFrame();
    expect(await player.close()).toEqual({ code: 0, signal: null });
  });
});

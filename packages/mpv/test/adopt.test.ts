import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { adoptMpv, isMpvError } from "@mpvstream/mpv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitOf, isRunning } from "../src/internal/process.js";
import { encodeHls, eventually, HEADLESS, serveHls, type TestServer } from "./helpers.js";

/**
 * Starts mpv the way a shell launcher does: from a shell that leaves it running, so that it is
 * not a child this process spawned (nobody here reaps it). Returns its pid and socket path.
 */
function startedElsewhere(args: readonly string[] = []): { pid: number; socketPath: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "mpv-adopt-"));
  const socketPath = path.join(dir, "ipc");
  const pid = Number(
    execFileSync(
      "sh",
      [
        "-c",
        'mpv --idle=yes --input-terminal=no --no-config --msg-level=all=warn "$@" >/dev/null 2>&1 & echo $!',
        "sh",
        `--input-ipc-server=${socketPath}`,
        ...HEADLESS,
        ...args,
      ],
      { encoding: "utf8" },
    ).trim(),
  );
  return { pid, socketPath, dir };
}

describe("adoptMpv", () => {
  let hls: string;
  let server: TestServer;
  beforeAll(async () => {
    hls = await encodeHls(3);
    server = await serveHls(hls);
  }, 60_000);
  afterAll(async () => {
    await server.close();
    rmSync(hls, { recursive: true, force: true });
  });

  it("owns an mpv started elsewhere: plays, removes the socket, and close() ends the process", async () => {
    const { pid, socketPath, dir } = startedElsewhere();
    try {
      const player = await adoptMpv(socketPath, { pid, args: [...HEADLESS] });
      expect(player.pid).toBe(pid);
      expect(existsSync(socketPath)).toBe(false);
      await player.loadfile(`${server.origin}/index.m3u8`);
      await player.firstFrame();
      await player.close({ timeoutMs: 3000 });
      expect(player.closed).toBe(true);
      await eventually(() => !isRunning(pid), 5000, "mpv gone");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("sees an adopted mpv die at once (its IPC closes)", async () => {
    const { pid, socketPath, dir } = startedElsewhere();
    try {
      const player = await adoptMpv(socketPath, { pid });
      const killedAt = Date.now();
      process.kill(pid, "SIGKILL");
      await player.exited();
      expect(Date.now() - killedAt).toBeLessThan(2000);
      expect(player.closed).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("refuses (and stops) an mpv started with an argument launchMpv would refuse", async () => {
    const { pid, socketPath, dir } = startedElsewhere();
    try {
      const adopting = adoptMpv(socketPath, { pid, args: ["--input-ipc-server=/tmp/other"] });
      await expect(adopting).rejects.toSatisfy((error) => isMpvError(error, "invalid_option"));
      await eventually(() => !isRunning(pid), 5000, "mpv gone");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("fails fast with start_failed when the mpv is gone before its IPC is up", async () => {
    const { pid, socketPath, dir } = startedElsewhere(["--no-such-option"]);
    try {
      const started = Date.now();
      await expect(adoptMpv(socketPath, { pid, connectTimeoutMs: 15_000 })).rejects.toSatisfy((error) =>
        isMpvError(error, "start_failed"),
      );
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe("exit status of a process nobody reaped (Linux /proc)", () => {
  /**
   * A child of a shell that then execs `sleep`: once it ends (after the exec: a shell would reap it)
   * it stays a zombie, with its status, until `sleep` ends.
   */
  const zombie = (script: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const shell = spawn("sh", ["-c", `${script} & echo $!; exec sleep 5 >/dev/null`], {
        stdio: ["ignore", "pipe", "ignore"],
      });
      shell.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      shell.once("error", reject);
      shell.unref();
    });

  it.each([
    ["(sleep 0.2; exit 3)", { code: 3, signal: null }],
    ["sh -c 'sleep 0.2; kill -TERM $$'", { code: null, signal: "SIGTERM" }],
  ])("%s", async (script, expected) => {
    const pid = await zombie(script);
    await eventually(() => !isRunning(pid), 3000, "the child has ended");
    expect(await exitOf(pid)).toEqual(expected);
  });

  it("says nothing for a process that is not there", async () => {
    expect(await exitOf(2 ** 22 + 1, 0)).toBeUndefined();
    expect(isRunning(2 ** 22 + 1)).toBe(false);
  });
});

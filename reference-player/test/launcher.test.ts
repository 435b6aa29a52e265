// `bin/mpvstream`, the installed command: for `play` it starts mpv before Node (so that the two
// start-ups overlap) and the CLI adopts that mpv. Real launcher, real dist/cli.cjs, real mpv,
// real server. Each test gives the launcher its own TMPDIR, so that its mpv can be found by the
// socket path on mpv's command line, and what is left behind can be seen.
import { execFileSync } from "node:child_process";
import { readdir } from "node:fs/promises";
import type { MpvstreamClient } from "@mpvstream/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Platform, runCli, startCli, startPlatform } from "./harness.js";

const HEADLESS = ["--vo=null", "--ao=null"];

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ media: true, sessionPeriodS: 5 });
}, 180_000);

afterAll(async () => {
  await platform?.close();
});

/** A viewer (see Platform.viewer) and a TMPDIR of its own for the launcher. */
async function viewer(points: number): Promise<{ home: string; tmp: string; client: MpvstreamClient }> {
  const { home, client } = await platform.viewer(points);
  return { home, tmp: await platform.home(), client };
}

/** The pids of the mpv processes the launcher started with a socket under `tmp`. */
function mpvsUnder(tmp: string): number[] {
  try {
    return execFileSync("pgrep", ["-f", `^mpv .*--input-ipc-server=${tmp}/`], { encoding: "utf8" })
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Running (not a zombie waiting for its parent to go). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(execFileSync("cat", [`/proc/${pid}/stat`], { encoding: "utf8" }));
  } catch {
    return false;
  }
}

const launched = (home: string, tmp: string) => ({
  home,
  server: platform.url,
  launcher: true,
  env: { TMPDIR: tmp, MPVSTREAM_TRACE: "1" },
});

describe("bin/mpvstream", () => {
  it("starts mpv ahead, the CLI adopts it, plays, and leaves nothing behind", async () => {
    const { home, tmp, client } = await viewer(1000);
    const result = await runCli(
      ["play", "demo", "--json", "--", ...HEADLESS, "--frames=5"],
      launched(home, tmp),
    );
    expect(result.code, result.stderr).toBe(0);
    // The session was paid once the launcher's mpv had its IPC socket up (the fast path).
    expect(result.stderr).toContain("play: mpv accepted its options");
    const summary = JSON.parse(result.stdout) as {
      session_id: string;
      first_frame_at: string | null;
      charges: { points: number }[];
      session_stopped: boolean;
    };
    expect(summary.first_frame_at).not.toBeNull();
    expect(summary.session_stopped).toBe(true);
    const { entries } = await client.ledger({ limit: 100 });
    const debits = entries.filter((e) => e.session_id === summary.session_id).map((e) => -e.delta);
    expect(debits.sort()).toEqual(summary.charges.map((c) => c.points).sort());
    expect(platform.server.sessions.get(summary.session_id)?.endReason).toBe("stopped");
    expect(await readdir(tmp)).toEqual([]);
    await eventually(() => (mpvsUnder(tmp).filter(running).length === 0 ? true : undefined), 5000);
  });

  it("stops the mpv it started when the command does not play", async () => {
    const { home, tmp } = await viewer(0);
    const help = await runCli(["play", "demo", "--help", "--", ...HEADLESS], launched(home, tmp));
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: mpvstream play");
    const usage = await runCli(
      ["play", "--stall-timeout", "0", "demo", "--", ...HEADLESS],
      launched(home, tmp),
    );
    expect(usage.code).toBe(2);
    await eventually(() => (mpvsUnder(tmp).filter(running).length === 0 ? true : undefined), 5000);
    expect(await readdir(tmp)).toEqual([]);
  });

  it("takes no points when mpv refuses an option or one the CLI controls", async () => {
    const { home, tmp, client } = await viewer(1000);
    const refused = await runCli(
      ["play", "demo", "--", ...HEADLESS, "--no-such-option"],
      launched(home, tmp),
    );
    expect(refused.code, refused.stderr).toBe(6);
    expect(refused.stderr).toContain("mpv did not start");
    const reserved = await runCli(["play", "demo", "--", ...HEADLESS, "--idle=no"], launched(home, tmp));
    expect(reserved.code, reserved.stderr).toBe(2);
    expect(reserved.stderr).toContain("--idle is set by @mpvstream/mpv");
    // An option mpv takes but the CLI refuses: that mpv runs (its IPC socket is up) and is refused.
    const taken = await runCli(
      ["play", "demo", "--", ...HEADLESS, "--input-file=/dev/null"],
      launched(home, tmp),
    );
    expect(taken.code, taken.stderr).toBe(2);
    expect(taken.stderr).toContain("--input-file is set by @mpvstream/mpv");
    expect((await client.me()).points_balance).toBe(1000);
    await eventually(() => (mpvsUnder(tmp).filter(running).length === 0 ? true : undefined), 5000);
  });

  it("reports an adopted mpv killed with SIGKILL and stops the session", async () => {
    const { home, tmp } = await viewer(1000);
    const run = startCli(["play", "demo", "--json", "--", ...HEADLESS], launched(home, tmp));
    await run.waitFor("Playing");
    const [mpv] = mpvsUnder(tmp);
    expect(mpv).toBeDefined();
    process.kill(mpv ?? -1, "SIGKILL");
    const result = await run.done;
    expect(result.code, result.stderr).toBe(6);
    const summary = JSON.parse(result.stdout) as {
      session_id: string;
      end: string;
      session_stopped: boolean;
    };
    expect(summary).toMatchObject({ end: "exit", session_stopped: true });
    // Its exit status comes from the zombie the CLI's process holds (it did not spawn that mpv).
    expect(result.stderr).toContain("mpv was killed (SIGKILL); the session was stopped.");
    expect(platform.server.sessions.get(summary.session_id)?.endReason).toBe("stopped");
  });

  it("takes its mpv down with it when the CLI itself is SIGKILLed (no orphan)", async () => {
    const { home, tmp } = await viewer(1000);
    const run = startCli(["play", "demo", "--", ...HEADLESS], launched(home, tmp));
    await run.waitFor("Playing");
    const [mpv] = mpvsUnder(tmp);
    expect(mpv).toBeDefined();
    run.child.kill("SIGKILL");
    await run.done;
    await eventually(() => (running(mpv ?? -1) ? undefined : true), 5000);
  });
});

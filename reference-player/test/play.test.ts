// `mpvstream play` end to end: the real reference server with its media plane (ffmpeg test pattern,
// /play gate), the real CLI process and a real mpv (--vo=null --ao=null). A billing period of 5 s
// at 60 points/minute makes each period cost 5 points.
import { execFileSync } from "node:child_process";
import type { MpvstreamClient } from "@mpvstream/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Platform, runCli, startCli, startPlatform } from "./harness.js";

const HEADLESS = ["--vo=null", "--ao=null"];
const PERIOD_COST = 5;

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ media: true, sessionPeriodS: 5 });
}, 180_000);

afterAll(async () => {
  await platform?.close();
});

const viewer = (points: number) => platform.viewer(points);

interface Summary {
  session_id: string;
  watched_s: number;
  points_spent: number;
  points_balance: number;
  charges: { at: string; points: number }[];
  end: string;
  session_stopped: boolean;
  exit_code: number;
  error?: { code: string; message: string };
}

async function debitsOf(client: MpvstreamClient, sessionId: string): Promise<number[]> {
  const { entries } = await client.ledger({ limit: 100 });
  return entries.filter((e) => e.session_id === sessionId).map((e) => e.delta);
}

const activeSessions = async () => (await platform.admin.listSessions()).sessions.map((s) => s.session_id);

describe("play", () => {
  it("plays the demo stream, renews it, and the ledger shows exactly the debits it reports", async () => {
    const { home, client } = await viewer(1000);
    const result = await runCli(["play", "demo", "--json", "--", ...HEADLESS, "--length=9"], {
      home,
      server: platform.url,
    });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary).toMatchObject({ end: "eof", session_stopped: true, exit_code: 0 });
    expect(summary.watched_s).toBeGreaterThanOrEqual(5);
    // Start plus at least one charged renew over ~9 s of 5 s periods; every charge is one period.
    expect(summary.charges.length).toBeGreaterThanOrEqual(2);
    for (const charge of summary.charges) expect(charge.points).toBe(PERIOD_COST);
    expect(summary.points_spent).toBe(summary.charges.length * PERIOD_COST);
    expect(summary.points_balance).toBe(1000 - summary.points_spent);
    const debits = await debitsOf(client, summary.session_id);
    expect(debits).toEqual(summary.charges.map((c) => -c.points));
    expect((await client.me()).points_balance).toBe(summary.points_balance);
    expect(await activeSessions()).not.toContain(summary.session_id);
    expect(platform.server.sessions.get(summary.session_id)?.endReason).toBe("stopped");
  });

  it("prints a human summary by default", async () => {
    const { home } = await viewer(1000);
    const result = await runCli(["play", "demo", "--", ...HEADLESS, "--length=2"], {
      home,
      server: platform.url,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Playing "Demo" (60 points per minute; 995 points left)');
    expect(result.stdout).toMatch(/^Watched \d+s of "Demo" · spent \d+ points · balance \d+ points\.\n$/);
  });

  it("lets the paid period play out on 402, then exits 4 with a clear message", async () => {
    const { home, client } = await viewer(2 * PERIOD_COST);
    const result = await runCli(["play", "demo", "--json", "--", ...HEADLESS], {
      home,
      server: platform.url,
    });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain("Out of points: the paid time ends in");
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary).toMatchObject({
      end: "out_of_points",
      points_spent: 10,
      points_balance: 0,
      exit_code: 4,
    });
    expect(summary.error?.message).toContain("Out of points");
    expect(await debitsOf(client, summary.session_id)).toEqual([-PERIOD_COST, -PERIOD_COST]);
    expect(await activeSessions()).not.toContain(summary.session_id);
  });

  it("stops the session on SIGINT and exits 130", async () => {
    const { home, client } = await viewer(1000);
    const run = startCli(["play", "demo", "--json", "--", ...HEADLESS], { home, server: platform.url });
    await run.waitFor("Playing");
    const { sessions } = await platform.admin.listSessions();
    expect(sessions.length).toBeGreaterThan(0);
    await eventually(async () =>
      (await client.ledger({ limit: 5 })).entries[0]?.session_id ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    run.child.kill("SIGINT");
    const result = await run.done;
    expect(result.code, result.stderr).toBe(130);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary).toMatchObject({ end: "SIGINT", session_stopped: true, exit_code: 130 });
    expect(platform.server.sessions.get(summary.session_id)?.endReason).toBe("stopped");
    expect(await activeSessions()).not.toContain(summary.session_id);
  });

  it("stops the session when mpv is killed, and explains it (exit 6)", async () => {
    const { home } = await viewer(1000);
    const run = startCli(["play", "demo", "--json", "--", ...HEADLESS], { home, server: platform.url });
    await run.waitFor("Playing");
    const pid = run.child.pid;
    const mpvPid = await eventually(() => {
      const out = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(pid)], { encoding: "utf8" });
      return out
        .split("\n")
        .map((line) => line.trim().split(/\s+/))
        .find(([, comm]) => comm === "mpv")?.[0];
    });
    const sessionId = await eventually(async () => (await activeSessions())[0]);
    process.kill(Number(mpvPid), "SIGKILL");
    // The CLI stops the session itself (reason "stopped"), long before the 5 s period would expire it.
    await eventually(
      () => (platform.server.sessions.get(sessionId)?.endReason === "stopped" ? true : undefined),
      10_000,
    );
    const result = await run.done;
    expect(result.code).toBe(6);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary).toMatchObject({ session_id: sessionId, end: "exit", session_stopped: true });
    expect(result.stderr).toContain("mpv was killed (SIGKILL); the session was stopped.");
  });

  it("explains a revoked session instead of hanging (stall, end or refused renew)", async () => {
    const { home } = await viewer(1000);
    const run = startCli(["play", "demo", "--stall-timeout", "3", "--", ...HEADLESS], {
      home,
      server: platform.url,
    });
    await run.waitFor("Playing");
    const sessionId = await eventually(async () => (await activeSessions())[0]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await platform.admin.revokeSession(sessionId);
    const result = await run.done;
    expect([6, 8]).toContain(result.code);
    expect(result.stderr).toMatch(/revoked/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("explains a stream that goes offline during playback (exit 5)", async () => {
    const { home } = await viewer(1000);
    const run = startCli(["play", "demo", "--stall-timeout", "3", "--", ...HEADLESS], {
      home,
      server: platform.url,
    });
    await run.waitFor("Playing");
    await eventually(async () => (await activeSessions())[0]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await platform.admin.setStreamState("demo", { state: "offline" });
    const result = await run.done;
    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toContain('"Demo" has gone offline.');
  });
});

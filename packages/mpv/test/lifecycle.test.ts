import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { launchMpv } from "@mpvstream/mpv";
import { describe, expect, it } from "vitest";
import { eventually, HEADLESS, processExists } from "./helpers.js";

/** Gone, or a zombie left to whatever init this machine runs (not our child to reap). */
function goneOrZombie(pid: number): boolean {
  if (!processExists(pid)) return true;
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

describe("process life cycle", () => {
  it("100 quick start/stop cycles leave no process, zombie or socket behind", async () => {
    const pids: number[] = [];
    const socketDirs: string[] = [];
    for (let i = 0; i < 100; i++) {
      const player = await launchMpv({
        args: [...HEADLESS],
        noConfig: true,
        ipc: i % 2 ? "socket" : "socketpair",
      });
      pids.push(player.pid ?? -1);
      if (player.socketPath) socketDirs.push(path.dirname(player.socketPath));
      expect(await player.get("idle-active")).toBe(true);
      expect(await player.close({ timeoutMs: 5000 })).toEqual({ code: 0, signal: null });
    }
    expect(new Set(pids).size).toBe(100);
    expect(socketDirs).toHaveLength(50);
    // kill(pid, 0) also succeeds on a zombie: failing means the child was reaped
    for (const pid of pids) expect(processExists(pid)).toBe(false);
    for (const dir of socketDirs) expect(existsSync(dir)).toBe(false);
  }, 300_000);

  const parentScript = fileURLToPath(new URL("./fixtures/parent.ts", import.meta.url));

  it.each([
    ["SIGINT", "socket"],
    ["SIGTERM", "socketpair"],
    ["SIGKILL", "socketpair"],
    ["SIGKILL", "socket"],
  ] as const)(
    "a parent ended by %s (%s IPC) takes mpv with it and leaves no socket",
    async (signal, mode) => {
      const parent = spawn(process.execPath, ["--import", "tsx", parentScript, mode], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        parent.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("\n")) resolve(out.split("\n")[0] ?? "");
        });
        parent.once("exit", (code) => reject(new Error(`parent exited early (${code})`)));
      });
      const { pid, socketPath } = JSON.parse(line) as { pid: number; socketPath: string | null };
      expect(processExists(pid)).toBe(true);
      expect(socketPath === null).toBe(mode === "socketpair");
      const parentExit = new Promise((resolve) => parent.once("exit", (code, sig) => resolve(sig ?? code)));
      parent.kill(signal);
      expect(await parentExit).toBe(signal); // the signal still ends the parent as it would have
      await eventually(() => goneOrZombie(pid), 15_000, `mpv ${pid} to go`);
      if (socketPath) expect(existsSync(path.dirname(socketPath))).toBe(false);
    },
    60_000,
  );
});

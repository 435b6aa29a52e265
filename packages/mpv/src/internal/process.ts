import { readFileSync } from "node:fs";
import { constants } from "node:os";
import type { ExitInfo } from "../types.js";

/**
 * The state letter and `exit_code` field of `/proc/<pid>/stat` (Linux), or `undefined` where
 * there is no such file. The command name (field 2) may hold spaces and parentheses: the fields
 * are read after its last `)`.
 */
function procStat(pid: number): { state: string; exitCode: number | undefined } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); exit_code is field 52 (Linux 3.5+).
  const exitCode = fields[49] === undefined ? undefined : Number(fields[49]);
  return { state: fields[0] ?? "", exitCode: Number.isInteger(exitCode) ? exitCode : undefined };
}

/** Whether the process runs: it exists and, where Linux tells, is not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return procStat(pid)?.state !== "Z";
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/**
 * How a process that this process did not spawn ended, read from its zombie (Linux, for a child of
 * this process that nobody reaped: one a shell started before `exec`ing Node). Waits up to
 * `waitMs` for it to become one; `undefined` where the system does not tell.
 */
export async function exitOf(pid: number, waitMs = 500): Promise<ExitInfo | undefined> {
  const until = Date.now() + waitMs;
  for (;;) {
    const stat = procStat(pid);
    if (stat === undefined) return undefined;
    if (stat.state === "Z" && stat.exitCode !== undefined) {
      const status = stat.exitCode;
      const signal = status & 0x7f;
      return signal === 0
        ? { code: (status >> 8) & 0xff, signal: null }
        : { code: null, signal: SIGNAL_NAMES.get(signal) ?? null };
    }
    if (Date.now() >= until) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// launchMpv reads mpv's version over IPC instead of running `mpv --version` first; the wrappers
// below stand in front of the real mpv to log how it is called and to play an older mpv.
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { findMpv, isMpvError, launchMpv } from "@mpvstream/mpv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEADLESS } from "./helpers.js";

let dir: string;
let realMpv: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mpv-test-version-"));
  realMpv = (await findMpv()).path;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A script that logs each call's arguments, answers `--version` with `version` (when given) and,
 * when `refusesIpcFd`, refuses `--input-ipc-client` like an mpv older than 0.33; otherwise it runs
 * the real mpv.
 */
async function wrapper(name: string, options: { version?: string; refusesIpcFd?: boolean }) {
  const file = path.join(dir, name);
  const log = `${file}.log`;
  const lines = [
    "#!/bin/sh",
    `echo "$*" >> '${log}'`,
    ...(options.version
      ? [`case "$*" in *--version*) echo 'mpv ${options.version} Copyright'; exit 0;; esac`]
      : []),
    ...(options.refusesIpcFd
      ? [
          `case "$*" in *--input-ipc-client*) echo 'Error parsing option input-ipc-client (option not found)'; exit 1;; esac`,
        ]
      : []),
    `exec '${realMpv}' "$@"`,
  ];
  await writeFile(file, `${lines.join("\n")}\n`);
  await chmod(file, 0o755);
  return { file, calls: async () => (await readFile(log, "utf8")).trim().split("\n") };
}

describe("launchMpv and the mpv version", () => {
  it("starts mpv once, without a separate `mpv --version`, and still knows the version", async () => {
    const mpv = await wrapper("mpv-once", {});
    const info: string[] = [];
    const player = await launchMpv({
      mpvPath: mpv.file,
      args: [...HEADLESS],
      noConfig: true,
      logger: { info: (line) => info.push(line) },
    });
    try {
      expect(await mpv.calls()).toHaveLength(1);
      expect((await mpv.calls())[0]).not.toContain("--version");
      expect(info.join("\n")).toMatch(/started mpv \d+\.\d+/);
    } finally {
      await player.close();
    }
  });

  it("starts an mpv too old for IPC over a descriptor again over a socket", async () => {
    const mpv = await wrapper("mpv-0.32", { version: "0.32.0", refusesIpcFd: true });
    const player = await launchMpv({ mpvPath: mpv.file, args: [...HEADLESS], noConfig: true });
    try {
      expect(player.socketPath).toBeDefined();
      expect(await player.get("idle-active")).toBe(true);
      const calls = await mpv.calls();
      expect(calls).toHaveLength(3); // the optimistic start, --version, the start over a socket
      expect(calls[1]).toContain("--version");
      expect(calls[2]).toContain("--input-ipc-server=");
    } finally {
      await player.close();
    }
  });

  it("refuses an mpv older than supported with too_old, naming the version", async () => {
    const mpv = await wrapper("mpv-0.29", { version: "0.29.1", refusesIpcFd: true });
    const error = await launchMpv({ mpvPath: mpv.file, args: [...HEADLESS] }).catch((e: unknown) => e);
    expect(isMpvError(error, "too_old")).toBe(true);
    expect((error as Error).message).toContain("0.29.1");
  });

  it("keeps mpv's own refusal of a bad option as start_failed", async () => {
    const error = await launchMpv({ args: [...HEADLESS, "--no-such-option=1"], noConfig: true }).catch(
      (e: unknown) => e,
    );
    expect(isMpvError(error, "start_failed")).toBe(true);
    expect((error as Error).message).toContain("no-such-option");
  });
});

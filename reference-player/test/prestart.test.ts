import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ENDPOINTS } from "@mpvstream/core";
import { describe, expect, it } from "vitest";
import { START_PATH, STREAM_PATH } from "../src/internal/fast-open.js";
import { PRESTARTED_VARIABLE, takePrestartedMpv } from "../src/internal/prestarted.js";
import { eventually } from "./harness.js";

describe("the fast path's requests", () => {
  it("go where the API says (core's ENDPOINTS, which the fast path cannot load)", () => {
    expect(START_PATH).toBe(ENDPOINTS.playbackStart.path);
    expect(ENDPOINTS.playbackStart.method).toBe("POST");
    expect(STREAM_PATH).toBe(ENDPOINTS.getStream.path);
    expect(ENDPOINTS.getStream.method).toBe("GET");
  });
});

describe("takePrestartedMpv", () => {
  const dir = () => mkdtempSync(path.join(tmpdir(), "mpvstream-"));

  it.each([
    ["not a pid", `abc:${tmpdir()}/mpvstream-x1`],
    ["a relative directory", "123:mpvstream-x1"],
    ["a directory the launcher does not make", `${process.pid}:/etc`],
    ["a process that is not our child", `1:${tmpdir()}/mpvstream-x1`],
  ])("ignores %s, and takes the variable out of the environment", (_, value) => {
    process.env[PRESTARTED_VARIABLE] = value;
    expect(takePrestartedMpv({ [PRESTARTED_VARIABLE]: value })).toBeUndefined();
    expect(process.env[PRESTARTED_VARIABLE]).toBeUndefined();
  });

  it("takes a child of this process, and discard() stops it and removes its directory", async () => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    const made = dir();
    const taken = takePrestartedMpv({ [PRESTARTED_VARIABLE]: `${child.pid}:${made}` });
    expect(taken).toMatchObject({ pid: child.pid, socketPath: path.join(made, "ipc") });
    const ended = new Promise((resolve) => child.once("exit", (_, signal) => resolve(signal)));
    taken?.discard();
    expect(await ended).toBe("SIGKILL");
    await eventually(() => (existsSync(made) ? undefined : true));
  });
});

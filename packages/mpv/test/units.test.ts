import { Duplex } from "node:stream";
import {
  attachMpv,
  compareVersions,
  findMpv,
  isMpvError,
  launchMpv,
  MpvError,
  parseMpvVersion,
} from "@mpvstream/mpv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadOptions, validateArgs } from "../src/internal/args.js";
import { IpcConnection } from "../src/internal/ipc.js";
import { Redactor, redactUrl } from "../src/internal/redact.js";
import { privateSocket } from "../src/internal/socket.js";
import { HEADLESS } from "./helpers.js";

describe("findMpv", () => {
  it("finds the installed mpv and reads its version", async () => {
    const mpv = await findMpv();
    expect(mpv.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(mpv.versionLine).toContain(mpv.version);
    expect(mpv.supportsIpcClientFd).toBe(true);
  });

  it("refuses a missing binary and an mpv older than required, naming the version needed", async () => {
    await expect(findMpv({ mpvPath: "/nonexistent/mpv" })).rejects.toMatchObject({ code: "not_found" });
    const error = await findMpv({ minVersion: "99.0.0" }).catch((e: unknown) => e);
    expect(isMpvError(error, "too_old")).toBe(true);
    expect((error as Error).message).toContain("99.0.0");
    await expect(launchMpv({ mpvPath: "/nonexistent/mpv" })).rejects.toMatchObject({ code: "not_found" });
  });

  it.each([
    ["mpv 0.35.1 Copyright © 2000-2023 mpv/MPlayer/mplayer2 projects", "0.35.1"],
    ["mpv v0.38.0-dirty Copyright", "0.38.0"],
    ["mpv 0.34 Copyright", "0.34.0"],
    ["mpv git-2023-01-01-abcdef Copyright", undefined],
    ["not mpv at all", undefined],
  ])("parses %j", (line, version) => {
    expect(parseMpvVersion(line)).toBe(version);
  });

  it.each([
    ["0.35.1", "0.33.0", 1],
    ["0.33.0", "0.33.0", 0],
    ["0.9.0", "0.10.0", -1],
  ])("compares %s with %s", (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});

describe("argument and option checks", () => {
  it.each([
    ["http://host/secret.m3u8"],
    ["file.mkv"],
    ["--"],
    ["--input-ipc-server=/tmp/s"],
    ["--no-input-ipc-client"],
    ["--idle=no"],
    ["--vo=null\n"],
    ["--Bad_Name=1"],
  ])("refuses %j", (arg) => {
    expect(() => validateArgs([arg])).toThrow(expect.objectContaining({ code: "invalid_option" }));
  });

  it("passes ordinary options through", () => {
    expect(validateArgs(["--vo=null", "--no-audio", "--demuxer-lavf-o=extension_picky=0"])).toHaveLength(3);
  });

  it("turns headers into file-local http-header-fields with commas escaped", () => {
    expect(loadOptions({ "X-A": "1,2", Authorization: "Bearer t" }, { "cache-secs": "5" })).toEqual({
      "cache-secs": "5",
      "http-header-fields": "X-A: 1\\,2,Authorization: Bearer t",
    });
    for (const headers of [{ "Bad Name": "x" }, { "X-A": "a\r\nX-B: b" }, { "X-A": "ends\\" }]) {
      expect(() => loadOptions(headers, undefined)).toThrow(MpvError);
    }
    expect(() => loadOptions({ A: "1" }, { "http-header-fields": "B: 2" })).toThrow(/either/);
  });
});

describe("redaction", () => {
  it.each([
    ["http://h:1/play/SESSION/index.m3u8?token=T", "http://h:1/…/index.m3u8?<redacted>"],
    ["https://user:pw@cdn.example/a.m3u8", "https://cdn.example/a.m3u8"],
    ["https://cdn.example", "https://cdn.example"],
  ])("redacts %s", (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it("hides registered secrets, URL capabilities and credential headers in free text", () => {
    const redactor = new Redactor();
    redactor.add("hunter2-token");
    const text = redactor.redact(
      "Failed to open http://h/play/SESSION/x.m3u8. hunter2-token Authorization: Bearer abc Cookie: c=1",
    );
    expect(text).not.toMatch(/SESSION|hunter2|abc|c=1/);
    expect(text).toContain("Failed to open http://h/…/x.m3u8.");
  });
});

/** One end of an in-memory stream: what the code writes is collected, what the test pushes is read. */
function endpoint(): { stream: Duplex; written: string[] } {
  const written: string[] = [];
  const stream = new Duplex({
    read() {},
    write(chunk, _encoding, done) {
      written.push(String(chunk));
      done();
    },
  });
  return { stream, written };
}

describe("IPC framing", () => {
  it("reassembles messages split anywhere and correlates replies by request_id", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 20 }), async (cuts) => {
        const { stream, written } = endpoint();
        const events: unknown[] = [];
        const ipc = new IpcConnection(stream, 1000);
        ipc.setHandlers({ onEvent: (e) => events.push(e), onClose: () => {} });
        const first = ipc.request(["get_property", "volume"]);
        const second = ipc.request(["get_property", "pause"]);
        expect(written.map((w) => JSON.parse(w).request_id)).toEqual([1, 2]);
        const wire =
          '{"event":"log-message","text":"é ✓"}\n{"request_id":2,"error":"success","data":false}\n' +
          '{"request_id":1,"error":"success","data":50}\n';
        const bytes = Buffer.from(wire);
        let at = 0;
        for (const cut of cuts) {
          if (at >= bytes.length) break;
          stream.push(bytes.subarray(at, at + cut));
          at += cut;
        }
        stream.push(bytes.subarray(at));
        expect(await Promise.all([first, second])).toEqual([50, false]);
        expect(events).toEqual([{ event: "log-message", text: "é ✓" }]);
        ipc.close();
      }),
      { numRuns: 50 },
    );
  });

  it("times out a request and rejects every pending one when the stream closes", async () => {
    const { stream } = endpoint();
    const ipc = new IpcConnection(stream, 50);
    await expect(ipc.request(["get_property", "x"])).rejects.toMatchObject({ code: "ipc_timeout" });
    const pending = ipc.request(["get_property", "y"], { timeoutMs: 60_000 });
    stream.push(null);
    stream.destroy();
    await expect(pending).rejects.toMatchObject({ code: "ipc_closed" });
    await expect(ipc.request(["quit"])).rejects.toMatchObject({ code: "ipc_closed" });
  });
});

describe("sockets", () => {
  it("makes the socket path in a fresh 0700 directory", async () => {
    const { statSync, rmSync } = await import("node:fs");
    const { dir, socketPath } = privateSocket();
    expect(dir).toBeDefined();
    expect(socketPath.startsWith(dir ?? "?")).toBe(true);
    expect(statSync(dir ?? "").mode & 0o777).toBe(0o700);
    rmSync(dir ?? "", { recursive: true });
  });

  it("attaches to an mpv started with --input-ipc-server; close only disconnects, quit ends it", async () => {
    const { spawn } = await import("node:child_process");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(`${tmpdir()}/mpv-attach-`);
    const socketPath = `${dir}/s`;
    const mpv = spawn("mpv", ["--idle=yes", "--no-config", ...HEADLESS, `--input-ipc-server=${socketPath}`], {
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => mpv.once("exit", (code) => resolve(code)));
    try {
      const first = await attachMpv(socketPath, { connectTimeoutMs: 15_000 });
      expect(first.pid).toBeUndefined();
      expect(await first.get("idle-active")).toBe(true);
      expect(await first.close()).toBeUndefined();
      const second = await attachMpv(socketPath);
      await second.set("volume", 11);
      await second.quit(3);
      expect(await exited).toBe(3);
      await expect(attachMpv(`${dir}/none`, { connectTimeoutMs: 100 })).rejects.toMatchObject({
        code: "start_failed",
      });
    } finally {
      mpv.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

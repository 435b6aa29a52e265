import { ProblemError } from "@mpvstream/client";
import { MpvError } from "@mpvstream/mpv";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/internal/exit.js";
import { explain } from "../src/internal/explain.js";
import { duration, fit, table } from "../src/internal/format.js";
import { normalizeServer, resolveServer } from "../src/internal/server.js";
import { statusLine, timeLeftMs } from "../src/internal/status.js";

describe("duration", () => {
  it.each([
    [0, "0s"],
    [999, "1s"],
    [59_000, "59s"],
    [65_000, "1m 05s"],
    [3_600_000, "1h 00m"],
    [3_725_000, "1h 02m"],
    [-5, "0s"],
  ])("%i ms is %s", (ms, text) => expect(duration(ms)).toBe(text));
});

describe("server addresses", () => {
  it.each([
    ["http://127.0.0.1:8080/", "http://127.0.0.1:8080"],
    ["127.0.0.1:8080", "http://127.0.0.1:8080"],
    ["https://tv.example.com/mpv/", "https://tv.example.com/mpv"],
    ["HTTP://Example.COM", "http://example.com"],
  ])("%s becomes %s", (input, output) => expect(normalizeServer(input)).toBe(output));

  it.each(["ftp://x", "http://user:pw@x", "http://x/?a=1", "http://"])("%s is refused (exit 2)", (input) => {
    expect(() => normalizeServer(input)).toThrow(expect.objectContaining({ exitCode: EXIT.usage }));
  });

  it("prefers --server, then MPVSTREAM_SERVER, then the saved one, then the default", () => {
    const env = { MPVSTREAM_SERVER: "http://env:1" };
    expect(resolveServer("http://flag:1", env, "http://saved:1")).toBe("http://flag:1");
    expect(resolveServer(undefined, env, "http://saved:1")).toBe("http://env:1");
    expect(resolveServer(undefined, { MPVSTREAM_SERVER: "" }, "http://saved:1")).toBe("http://saved:1");
    expect(resolveServer(undefined, {}, undefined)).toBe("http://127.0.0.1:8080");
  });
});

describe("tables and the status line", () => {
  it("pads text left and numbers right", () => {
    expect(
      table(
        ["ID", "N"],
        [
          ["a", 5],
          ["long", 100],
        ],
      ),
    ).toBe("ID      N\na       5\nlong  100");
  });

  it("cuts to the width with an ellipsis", () => {
    expect(fit("abcdef", 4)).toBe("abc…");
    expect(fit("abc", 4)).toBe("abc");
  });

  it("estimates the time left from the paid time and the balance", () => {
    expect(timeLeftMs({ balance: 30, paidLeftMs: 20_000, pointsPerMinute: 10 })).toBe(200_000);
    expect(timeLeftMs({ balance: 30, paidLeftMs: 20_000, pointsPerMinute: 10 }, true)).toBe(20_000);
    expect(timeLeftMs({ balance: 30, paidLeftMs: 0, pointsPerMinute: 0 })).toBe(Number.POSITIVE_INFINITY);
    expect(
      statusLine({
        title: "News",
        watchedMs: 65_000,
        spent: 10,
        balance: 30,
        paidLeftMs: 20_000,
        pointsPerMinute: 10,
      }),
    ).toBe("▶ News · 1m 05s · spent 10 points · balance 30 · about 3m 20s left");
  });
});

describe("explain", () => {
  const context = { server: "http://s:1", streamId: "news" };
  it.each([
    ["network_error", EXIT.unreachable, "Cannot reach the mpvstream server at http://s:1"],
    ["timeout", EXIT.unreachable, "did not answer in time"],
    ["not_logged_in", EXIT.auth, "You are not logged in"],
    ["invalid_credentials", EXIT.auth, "Wrong email or password"],
    ["invalid_token", EXIT.auth, "expired or was revoked"],
    ["insufficient_points", EXIT.outOfPoints, "enough points"],
    ["stream_not_found", EXIT.stream, 'There is no stream "news"'],
    ["stream_not_live", EXIT.stream, "is not live right now"],
    ["too_many_sessions", EXIT.refused, "as many streams as your account allows"],
    ["rate_limited", EXIT.refused, "Too many requests"],
    ["session_ended", EXIT.refused, "ended your playback session"],
    ["service_unavailable", EXIT.unreachable, "not ready"],
    ["invalid_response", EXIT.unexpected, "unexpected"],
  ] as const)("%s -> exit %i", (code, exit, text) => {
    const error = explain(new ProblemError(code, `POST /x: ${code}`), context);
    expect(error.exitCode).toBe(exit);
    expect(error.message).toContain(text);
  });

  it.each([
    ["not_found", EXIT.playback, "mpv is not installed"],
    ["invalid_option", EXIT.usage, "mpv option refused"],
    ["start_failed", EXIT.playback, "mpv did not start"],
    ["ipc_closed", EXIT.playback, "stopped responding"],
  ] as const)("MpvError %s -> exit %i", (code, exit, text) => {
    const error = explain(new MpvError(code, "mpv says no"), context);
    expect(error.exitCode).toBe(exit);
    expect(error.message).toContain(text);
  });

  it("wraps anything else as unexpected, without a stack", () => {
    const error = explain(new TypeError("boom"), context);
    expect(error.exitCode).toBe(EXIT.unexpected);
    expect(error.message).toBe("Something went wrong inside mpvstream: boom. Please report it.");
  });
});

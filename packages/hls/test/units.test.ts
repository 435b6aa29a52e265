import {
  DEFAULT_LADDER,
  HlsError,
  HlsPipeline,
  isHlsError,
  type LadderRung,
  validateLadder,
} from "@mpvstream/hls";
import { describe, expect, it } from "vitest";
import { buildArgs, type CommandPlan } from "../src/internal/args.js";
import { CrashBackoff } from "../src/internal/backoff.js";
import { classifyFfmpegFailure } from "../src/internal/errors.js";
import { progressParser } from "../src/internal/progress.js";

describe("CrashBackoff (injected clock)", () => {
  it("doubles the delay per crash up to the cap, then gives up past maxCrashes in the window", () => {
    let now = 0;
    const backoff = new CrashBackoff(
      { initialMs: 100, maxMs: 350, maxCrashes: 4, windowMs: 10_000 },
      () => now,
    );
    const decisions = [0, 1, 2, 3, 4].map(() => {
      now += 1000;
      return backoff.crash();
    });
    expect(decisions).toEqual([
      { action: "restart", delayMs: 100, crashes: 1 },
      { action: "restart", delayMs: 200, crashes: 2 },
      { action: "restart", delayMs: 350, crashes: 3 },
      { action: "restart", delayMs: 350, crashes: 4 },
      { action: "give_up", crashes: 5 },
    ]);
  });

  it("forgets crashes older than the window", () => {
    let now = 0;
    const backoff = new CrashBackoff({ initialMs: 100, maxCrashes: 2, windowMs: 1000 }, () => now);
    backoff.crash();
    now = 500;
    backoff.crash();
    now = 1600; // both earlier crashes left the window
    expect(backoff.crash()).toEqual({ action: "restart", delayMs: 100, crashes: 1 });
  });
});

describe("progressParser", () => {
  it("emits one typed report per block", () => {
    const reports: unknown[] = [];
    const feed = progressParser((p) => reports.push(p));
    const block = [
      "frame=50",
      "fps=25.00",
      "stream_0_0_q=-1.0",
      "bitrate= 312.5kbits/s",
      "total_size=78125",
      "out_time_us=2000000",
      "out_time_ms=2000000",
      "out_time=00:00:02.000000",
      "dup_frames=0",
      "drop_frames=1",
      "speed=1.01x",
    ];
    for (const line of [
      ...block,
      "progress=continue",
      "frame=60",
      "bitrate=N/A",
      "speed=N/A",
      "progress=end",
    ])
      feed(line);
    expect(reports).toHaveLength(2);
    expect(reports[0]).toEqual({
      frame: 50,
      fps: 25,
      bitrateKbps: 312.5,
      totalSize: 78125,
      outTimeMs: 2000,
      outTime: "00:00:02.000000",
      speed: 1.01,
      dupFrames: 0,
      dropFrames: 1,
      end: false,
    });
    expect(reports[1]).toMatchObject({ frame: 60, end: true });
    expect(Number.isNaN((reports[1] as { speed: number }).speed)).toBe(true);
  });
});

describe("errors", () => {
  it("isHlsError is duck-typed on name and code", () => {
    expect(isHlsError(new HlsError("timeout", "x"))).toBe(true);
    expect(isHlsError({ name: "HlsError", code: "timeout" })).toBe(true);
    expect(isHlsError({ name: "HlsError", code: "nope" })).toBe(false);
    expect(isHlsError(new Error("x"))).toBe(false);
    expect(isHlsError(null)).toBe(false);
  });

  it.each([
    ["rtmp://0.0.0.0:1935/live: Address already in use", "port_in_use"],
    ["/x.mp4: No such file or directory", "file_not_found"],
    ["Connection to tcp://127.0.0.1:9 failed: Connection refused", "input_unreachable"],
    ["http://x/a.m3u8: Server returned 404 Not Found", "input_unreachable"],
    ["x.bin: Invalid data found when processing input", "input_invalid"],
    ["Conversion failed!", "ffmpeg_crashed"],
  ])("classifies %s as %s", (line, code) => {
    expect(classifyFfmpegFailure([line])).toBe(code);
  });
});

describe("validateLadder", () => {
  const rung = (over: Partial<LadderRung> = {}): LadderRung => ({
    name: "r",
    width: 640,
    height: 360,
    videoBitrateKbps: 800,
    ...over,
  });
  it("accepts the default ladder", () => {
    expect(() => validateLadder(DEFAULT_LADDER)).not.toThrow();
  });
  it.each<[string, LadderRung[]]>([
    ["empty", []],
    ["duplicate names", [rung(), rung()]],
    ["name index", [rung({ name: "index" })]],
    ["name with a slash", [rung({ name: "a/b" })]],
    ["odd width", [rung({ width: 641 })]],
    ["zero height", [rung({ height: 0 })]],
    ["negative bitrate", [rung({ videoBitrateKbps: -1 })]],
    ["nine rungs", Array.from({ length: 9 }, (_, i) => rung({ name: `r${i}` }))],
  ])("rejects %s with invalid_ladder", (_name, ladder) => {
    expect(() => validateLadder(ladder)).toThrow(expect.objectContaining({ code: "invalid_ladder" }));
    expect(() => new HlsPipeline({ source: { kind: "test" }, outputDir: "/tmp/x", ladder })).toThrow(
      expect.objectContaining({ code: "invalid_ladder" }),
    );
  });
});

describe("HlsPipeline options", () => {
  it.each([
    ["segmentSeconds 0", { segmentSeconds: 0 }],
    ["segmentSeconds 1.5", { segmentSeconds: 1.5 }],
    ["windowSize 1", { windowSize: 1 }],
    ["readySegments above the window", { windowSize: 3, readySegments: 4 }],
    ["% in outputDir", { outputDir: "/tmp/a%d" }],
    ["copy with a ladder", { codec: "copy" as const, ladder: DEFAULT_LADDER }],
  ])("rejects %s with invalid_options", (_name, over) => {
    expect(() => new HlsPipeline({ source: { kind: "test" }, outputDir: "/tmp/x", ...over })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });

  it.each([
    ["an unknown kind", { kind: "webcam" }],
    ["a relative URL", { kind: "url", url: "example.com/a.m3u8" }],
    ["port 0", { kind: "rtmp", port: 0 }],
    ["a file without a path", { kind: "file", path: "" }],
  ])("rejects a source with %s", (_name, source) => {
    expect(() => new HlsPipeline({ source: source as never, outputDir: "/tmp/x" })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });

  it("defaults to 2 s segments and index.m3u8 in the output directory", () => {
    const pipeline = new HlsPipeline({ source: { kind: "test" }, outputDir: "/tmp/hls-x" });
    expect(pipeline.options.segmentSeconds).toBe(2);
    expect(pipeline.playlistPath).toBe("/tmp/hls-x/index.m3u8");
    expect(pipeline.state).toBe("idle");
  });
});

describe("buildArgs", () => {
  const plan: CommandPlan = {
    source: { kind: "file", path: "/media/my file; rm -rf ~.mp4", loop: true },
    outputDir: "/out dir",
    segmentSeconds: 2,
    windowSize: 5,
    copy: false,
    hasAudio: true,
    encode: {},
    append: false,
    vod: false,
    fontFile: null,
    startedAt: new Date(0),
  };
  it("keeps every argument its own element (paths with spaces and shell syntax are untouched)", () => {
    const args = buildArgs(plan);
    expect(args).toContain("/media/my file; rm -rf ~.mp4");
    expect(args.at(-1)).toBe("/out dir/index.m3u8");
    expect(args.join(" ")).toContain("-stream_loop -1 -i");
    expect(args.join(" ")).toContain("-force_key_frames expr:gte(t,n_forced*2)");
    expect(args.join(" ")).toContain(
      "-hls_flags temp_file+independent_segments+delete_segments+program_date_time",
    );
  });
  it("copies streams when asked and appends after a crash", () => {
    const args = buildArgs({ ...plan, copy: true, append: true }).join(" ");
    expect(args).toContain("-c copy");
    expect(args).not.toContain("libx264");
    expect(args).toContain("+append_list");
  });
  it("writes a master playlist named index.m3u8 and one variant per rung for a ladder", () => {
    const args = buildArgs({ ...plan, ladder: DEFAULT_LADDER }).join(" ");
    expect(args).toContain("-var_stream_map v:0,a:0,name:720p v:1,a:1,name:480p v:2,a:2,name:360p");
    expect(args).toContain("-master_pl_name index.m3u8");
    expect(args).toContain("scale=854:480");
  });
  it("pulls an SRT URL with its timeout as libsrt's connect timeout; other URLs get none", () => {
    const input = (url: string) => {
      const args = buildArgs({ ...plan, source: { kind: "url", url, timeoutMs: 4000 } });
      return args.slice(args.indexOf("-nostats") + 4, args.indexOf("-i") + 2);
    };
    expect(input("srt://10.0.0.5:9000?streamid=cam")).toEqual([
      "-connect_timeout",
      "4000",
      "-rw_timeout",
      "4000000",
      "-i",
      "srt://10.0.0.5:9000?streamid=cam",
    ]);
    expect(input("rtmp://10.0.0.5/live/key")).toEqual([
      "-rw_timeout",
      "4000000",
      "-i",
      "rtmp://10.0.0.5/live/key",
    ]);
  });
});

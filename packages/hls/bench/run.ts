// P9: packager overhead. The same ffmpeg command run by HlsPipeline and by hand, on the same
// 10 s 720p clip read as fast as possible (realtime: false), side by side; then the
// 720p/480p/360p ladder in one ffmpeg. Realtime factor = media seconds / wall seconds.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_LADDER, HlsPipeline, type HlsPipelineOptions } from "@mpvstream/hls";

const seconds = 10;
const preset = "veryfast";
const root = mkdtempSync(join(tmpdir(), "hls-bench-"));
const clip = join(root, "clip.mp4");
const made = spawnSync("ffmpeg", [
  "-hide_banner",
  "-loglevel",
  "error",
  "-y",
  "-f",
  "lavfi",
  "-i",
  `testsrc2=size=1280x720:rate=30:duration=${seconds}`,
  "-f",
  "lavfi",
  "-i",
  `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
  // mpeg4, not H.264: the packager must encode (auto would stream-copy H.264/AAC).
  "-c:v",
  "mpeg4",
  "-q:v",
  "3",
  "-c:a",
  "aac",
  "-shortest",
  clip,
]);
if (made.status !== 0) throw new Error(`could not make the clip: ${made.stderr}`);

async function viaPipeline(
  extra: Partial<HlsPipelineOptions>,
  dir: string,
): Promise<{ factor: number; args: string[]; preflightMs: number }> {
  const pipeline = new HlsPipeline({
    source: { kind: "file", path: clip },
    outputDir: dir,
    segmentSeconds: 2,
    realtime: false,
    codec: "encode",
    encode: { preset },
    readyTimeoutMs: 0,
    ...extra,
  });
  let args: string[] = [];
  let spawnedAt = 0;
  pipeline.on("start", (info) => {
    args = info.args;
    spawnedAt = performance.now();
  });
  const ended = new Promise<void>((resolve, reject) => {
    pipeline.on("exit", (info) =>
      info.reason === "ended" ? resolve() : reject(new Error(`exit ${info.reason}`)),
    );
  });
  const t0 = performance.now();
  await pipeline.start();
  await ended;
  // From spawn to exit, like the hand-run side; the preflight (find ffmpeg, ffprobe the
  // source, clear the directory) is a one-off per start and is reported on its own.
  return { factor: seconds / ((performance.now() - spawnedAt) / 1000), args, preflightMs: spawnedAt - t0 };
}

function byHand(args: string[]): Promise<number> {
  const t0 = performance.now();
  const child = spawn("ffmpeg", args, { stdio: "ignore" });
  return new Promise((resolve, reject) =>
    child.on("close", (code) =>
      code === 0
        ? resolve(seconds / ((performance.now() - t0) / 1000))
        : reject(new Error(`ffmpeg exit ${code}`)),
    ),
  );
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

try {
  const ours: number[] = [];
  const theirs: number[] = [];
  const preflight: number[] = [];
  // A warm-up run (discarded) gives the exact argument array the packager uses.
  const { args } = await viaPipeline({}, join(root, "warmup"));
  for (let round = 0; round < 4; round += 1) {
    // Alternate which side goes first, so that load drifting during a round hits both.
    const ourRun = () => viaPipeline({}, join(root, `single-${round}`));
    if (round % 2 === 1) theirs.push(await byHand(args));
    const run = await ourRun();
    ours.push(run.factor);
    preflight.push(run.preflightMs);
    if (round % 2 === 0) theirs.push(await byHand(args));
  }
  const ladder = await viaPipeline({ ladder: DEFAULT_LADDER }, join(root, "ladder"));
  const single = median(ours) / median(theirs);
  const fmt = (n: number) => `${n.toFixed(2)}x`;
  console.log(`## P9: HLS packager overhead and ABR ladder realtime factor

${cpus().length} cores, ${seconds} s 1280x720 30 fps clip (MPEG-4 Part 2 + AAC, so both sides encode) read as fast as
possible, x264 \`${preset}\`, 2 s MPEG-TS segments. Realtime factor = media seconds / wall seconds, median of 4, sides alternating.

| what | packager (HlsPipeline) | by hand (same ffmpeg args) | ratio | bar | pass |
|---|---|---|---|---|---|
| one rendition 720p | ${fmt(median(ours))} | ${fmt(median(theirs))} | ${single.toFixed(3)} | >= 0.98 | ${single >= 0.98 ? "yes" : "no"} |
| ladder 720p/480p/360p, one ffmpeg | ${fmt(ladder.factor)} | | | >= 1.0x realtime | ${ladder.factor >= 1 ? "yes" : "no"} |

Preflight per start (find ffmpeg, ffprobe the source, clear the directory), not in the factors: median ${median(preflight).toFixed(0)} ms.
`);
} finally {
  rmSync(root, { recursive: true, force: true });
}

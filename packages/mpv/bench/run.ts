// Spawn to first frame through @mpvstream/mpv vs bare `mpv --frames=1` on the same HLS URL, side by side.
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { findMpv, launchMpv } from "@mpvstream/mpv";

const RUNS = 9;
const BAR = 1.1;
const FLAGS = ["--no-config", "--vo=null", "--ao=null", "--ytdl=no", "--msg-level=all=warn"];

const dir = await mkdtemp(path.join(tmpdir(), "mpv-bench-"));
await new Promise<void>((resolve, reject) =>
  execFile(
    "ffmpeg",
    [
      ...[
        "-hide_banner",
        "-loglevel",
        "error",
        "-nostdin",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=320x180:rate=25",
      ],
      ...["-f", "lavfi", "-i", "sine=frequency=440", "-t", "4", "-c:v", "libx264", "-preset", "ultrafast"],
      ...["-g", "25", "-c:a", "aac", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod"],
      ...["-hls_segment_filename", path.join(dir, "seg%03d.ts"), path.join(dir, "index.m3u8")],
    ],
    (error) => (error ? reject(error) : resolve()),
  ),
);
const server = createServer((req, res) => {
  readFile(path.join(dir, path.basename(req.url ?? ""))).then(
    (body) => res.end(body),
    () => res.writeHead(404).end(),
  );
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.m3u8`;
const installation = await findMpv();

/** Bare mpv: the first frame is when its verbose player log says so (read as it arrives), then its exit. */
async function bare(): Promise<{ frame: number; total: number }> {
  const start = performance.now();
  const args = [...FLAGS, "--msg-level=all=warn,cplayer=v", "--frames=1", url];
  const child = spawn(installation.path, args, { stdio: ["ignore", "pipe", "ignore"] });
  let frame = Number.NaN;
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    if (Number.isNaN(frame) && out.includes("first video frame after restart shown")) {
      frame = performance.now() - start;
    }
  });
  const code = await new Promise((resolve) => child.once("close", resolve));
  if (code !== 0 || Number.isNaN(frame))
    throw new Error(`bare mpv exited with ${code} (first frame: ${frame})`);
  return { frame, total: performance.now() - start };
}

async function ours(): Promise<{ frame: number; total: number }> {
  const start = performance.now();
  const player = await launchMpv({ installation, noConfig: true, args: ["--vo=null", "--ao=null"] });
  await player.loadfile(url);
  await player.firstFrame();
  const frame = performance.now() - start;
  await player.close();
  return { frame, total: performance.now() - start };
}

const bareFrames: number[] = [];
const bareTotals: number[] = [];
const frames: number[] = [];
const totals: number[] = [];
await bare(); // warm the disk cache and the loader for both sides
await ours();
for (let i = 0; i < RUNS; i++) {
  const plain = await bare();
  bareFrames.push(plain.frame);
  bareTotals.push(plain.total);
  const run = await ours();
  frames.push(run.frame);
  totals.push(run.total);
}
server.close();
await rm(dir, { recursive: true, force: true });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const ms = (x: number) => `${x.toFixed(0)} ms`;
const ratio = median(frames) / median(bareFrames);
const totalRatio = median(totals) / median(bareTotals);
console.log(`## mpv: spawn to first frame (P7, mpv side)

${RUNS} alternating runs of each side on one loopback HLS stream (320x180, 1 s segments),
\`${FLAGS.join(" ")}\` on both sides, ${installation.versionLine.split(" ").slice(0, 2).join(" ")}.
Bare mpv gets the URL in argv with \`--frames=1\`; its first frame is the moment its player log line
\`first video frame after restart shown\` reaches us. The package: \`launchMpv\` (spawn, IPC over a
socketpair), \`loadfile\` over IPC, first \`playback-restart\`. Both clocks start just before spawn.

| measure (median) | bare \`mpv --frames=1\` | @mpvstream/mpv | ratio | bar |
|---|---|---|---|---|
| spawn to first frame | ${ms(median(bareFrames))} | ${ms(median(frames))} | ${ratio.toFixed(2)}x | <= ${BAR}x: ${ratio <= BAR ? "met" : "NOT met"} |
| spawn to process gone | ${ms(median(bareTotals))} | ${ms(median(totals))} | ${totalRatio.toFixed(2)}x | (reference: bare mpv drains ~0.5 s of null audio before exiting; \`close()\` quits at once) |

First frame min / max: bare ${ms(Math.min(...bareFrames))} / ${ms(Math.max(...bareFrames))}; package ${ms(Math.min(...frames))} / ${ms(Math.max(...frames))}.`);

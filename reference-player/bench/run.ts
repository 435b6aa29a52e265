// P7: `mpvstream play` to first frame vs bare `mpv --frames=1` on the same playback URL, side by
// side, on the reference server's own media plane (test pattern, 1 s segments). Prints a Markdown section.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@mpvstream/client";
import { findMpv } from "@mpvstream/mpv";
import { loginAs, startPlatform } from "../test/harness.js";

const RUNS = 7;
const HEADLESS = ["--no-config", "--vo=null", "--ao=null", "--ytdl=no", "--msg-level=all=warn"];
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "cli.js");

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const platform = await startPlatform({ media: true, sessionPeriodS: 60 });
try {
  await platform.user("bench@example.test", 1_000_000);
  const home = await platform.home();
  await loginAs(home, platform.url, "bench@example.test");
  const viewer = createClient({ baseUrl: platform.url });
  await viewer.login({ email: "bench@example.test", password: "viewer-password" });
  const mpv = await findMpv();

  /** Bare mpv: spawn to its `first video frame` log line, on a session started beforehand. */
  const bare = async (): Promise<number> => {
    const session = await viewer.startPlayback({ stream_id: "demo" });
    const started = performance.now();
    const child = spawn(
      mpv.path,
      [...HEADLESS, "--msg-level=all=warn,cplayer=v", "--frames=1", session.playback_url],
      {
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    let out = "";
    const frame = await new Promise<number>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("first video frame after restart shown")) resolve(performance.now() - started);
      });
      child.once("close", () => reject(new Error(`bare mpv ended without a frame: ${out.slice(-300)}`)));
    });
    await new Promise((resolve) => child.once("close", resolve));
    await viewer.stopPlayback({ session_id: session.session_id });
    return frame;
  };

  /** Each run's trace marks (MPVSTREAM_TRACE=1): label -> ms since that process started. */
  const traces: Map<string, number>[] = [];

  /** The CLI: spawn to the first frame it reports (`first_frame_at` of --json, same wall clock). */
  const ours = async (): Promise<number> => {
    const startedAt = Date.now();
    const child = spawn(
      process.execPath,
      [cli, "play", "demo", "--json", "--", "--vo=null", "--ao=null", "--frames=1"],
      {
        env: { ...process.env, XDG_CONFIG_HOME: home, MPVSTREAM_SERVER: platform.url, MPVSTREAM_TRACE: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once("close", resolve));
    const summary = JSON.parse(out) as { first_frame_at: string | null };
    if (code !== 0 || summary.first_frame_at === null)
      throw new Error(`mpvstream play failed (${code}): ${out}`);
    const marks = new Map<string, number>();
    for (const match of err.matchAll(/^mpvstream trace: +([\d.]+) ms (.+)$/gm))
      marks.set(match[2] ?? "", Number(match[1]));
    traces.push(marks);
    return Date.parse(summary.first_frame_at) - startedAt;
  };

  await bare();
  await ours(); // warm the page cache on both sides
  const bareRuns: number[] = [];
  const ourRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    bareRuns.push(await bare());
    ourRuns.push(await ours());
  }
  const labels = [...new Set(traces.flatMap((marks) => [...marks.keys()]))];
  const at = (label: string) => median(traces.flatMap((marks) => marks.get(label) ?? []));
  const phases = labels.map((label) => ({ label, ms: at(label) })).sort((x, y) => x.ms - y.ms);
  const b = median(bareRuns);
  const o = median(ourRuns);
  const ratio = o / b;
  const bar = 1.3;
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const mpvUp = at("play: mpv ready") - at("play: mpv spawned");
  const paid = at("play: session started") - at("play: mpv ready");
  const toFrame = at("play: first frame") - at("play: session started");
  const verdict = ratio <= bar ? "met" : `not met (${ms(o - bar * b)} over)`;
  console.log(`## P7: \`mpvstream play\` to first frame

${RUNS} alternating runs of each side on the reference server's own media plane (test pattern
320x180 at 15 fps, 1 s segments, served by the /play gate), mpv 0.35.1, \`--vo=null --ao=null\`.
Bare mpv: \`mpv --no-config --ytdl=no --frames=1 URL\` on a session started beforehand, from spawn
to its \`first video frame\` log line. mpvstream: \`node dist/cli.js play demo --json -- --frames=1\`
from spawn to the \`first_frame_at\` it reports: Node start, mpv launch, credentials, stream lookup,
paid session start, \`loadfile\`, first frame.

| measure (median) | bare \`mpv --frames=1\` | \`mpvstream play\` | ratio | bar |
|---|---|---|---|---|
| spawn to first frame | ${ms(b)} | ${ms(o)} | ${ratio.toFixed(2)}x | <= ${bar}x: ${verdict} |

Min / max: bare ${ms(Math.min(...bareRuns))} / ${ms(Math.max(...bareRuns))}; mpvstream ${ms(Math.min(...ourRuns))} / ${ms(Math.max(...ourRuns))}.

Where our time goes (\`MPVSTREAM_TRACE=1\`, median ms since the Node process started; the spawn
itself and Node's bootstrap before its clock starts add about ${ms(o - at("play: first frame"))}):

| mark | ms |
|---|---|
${phases.map((phase) => `| ${phase.label} | ${phase.ms.toFixed(0)} |`).join("\n")}

mpv is spawned first (no \`mpv --version\` beforehand: its version is read over IPC), then the HTTP
client is loaded and the stream looked up while mpv comes up (${ms(mpvUp)} from spawn to its IPC).
What bare mpv does not pay: Node's own start before mpv can be spawned (about ${ms(at("play: mpv spawned"))} after the
clock starts, plus the ${ms(o - at("play: first frame"))} above), and the paid session start (${ms(paid)} after mpv answers). The start
runs beside the lookup but waits for mpv's IPC on purpose, so that a missing mpv or an option mpv
refuses costs no points (the server itself refuses, without charging, a missing or not-live stream).
From the start to the first frame: ${ms(toFrame)} (\`loadfile\`, playlist, first segment).
The bar (${ms(bar * b)}) is out of reach for a Node CLI that launches mpv: mpv itself only answers
${ms(at("play: mpv ready") + o - at("play: first frame"))} after our spawn (Node's start, then mpv's own start-up), before anything is paid
or loaded. Before this layout (\`mpv --version\` first, the client loaded before mpv was spawned,
the start after the lookup) the same benchmark measured 120 ms against 411 ms (3.42x).
`);
} finally {
  await platform.close();
}

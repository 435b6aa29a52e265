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

  /** The CLI: spawn to the first frame it reports (`first_frame_at` of --json, same wall clock). */
  const ours = async (): Promise<number> => {
    const startedAt = Date.now();
    const child = spawn(
      process.execPath,
      [cli, "play", "demo", "--json", "--", "--vo=null", "--ao=null", "--frames=1"],
      {
        env: { ...process.env, XDG_CONFIG_HOME: home, MPVSTREAM_SERVER: platform.url },
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once("close", resolve));
    const summary = JSON.parse(out) as { first_frame_at: string | null };
    if (code !== 0 || summary.first_frame_at === null)
      throw new Error(`mpvstream play failed (${code}): ${out}`);
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
  const b = median(bareRuns);
  const o = median(ourRuns);
  const ratio = o / b;
  const bar = 1.3;
  console.log(`## P7: \`mpvstream play\` to first frame

${RUNS} alternating runs of each side on the reference server's own media plane (test pattern
320x180 at 15 fps, 1 s segments, served by the /play gate), mpv 0.35.1, \`--vo=null --ao=null\`.
Bare mpv: \`mpv --no-config --ytdl=no --frames=1 URL\` on a session started beforehand, from spawn
to its \`first video frame\` log line. mpvstream: \`node dist/cli.js play demo --json -- --frames=1\`
from spawn to the \`first_frame_at\` it reports: Node start, credentials, stream lookup, mpv launch,
paid session start, \`loadfile\`, first frame.

| measure (median) | bare \`mpv --frames=1\` | \`mpvstream play\` | ratio | bar |
|---|---|---|---|---|
| spawn to first frame | ${b.toFixed(0)} ms | ${o.toFixed(0)} ms | ${ratio.toFixed(2)}x | <= ${bar}x: ${ratio <= bar ? "met" : "not met"} |

Min / max: bare ${Math.min(...bareRuns).toFixed(0)} / ${Math.max(...bareRuns).toFixed(0)} ms; mpvstream ${Math.min(...ourRuns).toFixed(0)} / ${Math.max(...ourRuns).toFixed(0)} ms.
The difference is fixed cost before mpv gets the URL: Node start and module load, the \`mpv --version\`
check, the stream lookup and the paid start (done before loading so that a refusal shows no window
and a failing mpv costs no points).`);
} finally {
  await platform.close();
}

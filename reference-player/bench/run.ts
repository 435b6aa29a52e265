// P7: `mpvstream play` to first frame vs bare `mpv --frames=1` on the same playback URL, side by
// side, on the reference server's own media plane (test pattern, 1 s segments). Prints a Markdown section.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@mpvstream/client";
import { findMpv } from "@mpvstream/mpv";
import type { Database } from "../../reference-server/src/db/database.js";
import { freshDatabase } from "../../reference-server/test/helpers.js";
import { loginAs, startPlatform } from "../test/harness.js";

const RUNS = 15;
const HEADLESS = ["--no-config", "--vo=null", "--ao=null", "--ytdl=no", "--msg-level=all=warn"];
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const launcher = path.join(root, "bin", "mpvstream");
const cli = path.join(root, "dist", "cli.cjs");

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

interface Measured {
  readonly bare: number[];
  readonly launcher: number[];
  readonly node: number[];
  /** Each launcher run's trace marks (MPVSTREAM_TRACE=1): label -> ms since Node's clock started. */
  readonly traces: Map<string, number>[];
}

/** Alternating runs of bare mpv, the launcher and Node on dist/cli.cjs, against one platform. */
async function measure(database: Database | undefined): Promise<Measured> {
  const platform = await startPlatform({
    media: true,
    sessionPeriodS: 60,
    ...(database ? { database } : {}),
  });
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

    const traces: Map<string, number>[] = [];

    /**
     * The CLI: spawn to the first frame it reports (`first_frame_at` of --json, same wall clock).
     * `command` is the launcher (as installed) or Node on dist/cli.cjs (mpv started by Node).
     */
    const ours = async (command: readonly string[]): Promise<number> => {
      const startedAt = Date.now();
      const [file = launcher, ...prefix] = command;
      const child = spawn(
        file,
        [...prefix, "play", "demo", "--json", "--", "--vo=null", "--ao=null", "--frames=1"],
        {
          env: {
            ...process.env,
            XDG_CONFIG_HOME: home,
            MPVSTREAM_SERVER: platform.url,
            MPVSTREAM_TRACE: "1",
          },
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
      if (file === launcher) {
        const marks = new Map<string, number>();
        for (const match of err.matchAll(/^mpvstream trace: +([\d.]+) ms (.+)$/gm))
          marks.set(match[2] ?? "", Number(match[1]));
        traces.push(marks);
      }
      return Date.parse(summary.first_frame_at) - startedAt;
    };
    const viaLauncher = () => ours([launcher]);
    const viaNode = () => ours([process.execPath, cli]);

    // Warm the page cache on every side.
    await bare();
    await viaLauncher();
    await viaNode();
    traces.length = 0;
    const bareRuns: number[] = [];
    const launcherRuns: number[] = [];
    const nodeRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      bareRuns.push(await bare());
      launcherRuns.push(await viaLauncher());
      nodeRuns.push(await viaNode());
    }
    return { bare: bareRuns, launcher: launcherRuns, node: nodeRuns, traces };
  } finally {
    await platform.close();
  }
}

/** Spawn to the IPC socket of an idle mpv started alone (what the launcher's mpv must reach). */
async function mpvAlone(): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), "mpvstream-bench-"));
  const socket = path.join(dir, "ipc");
  const started = performance.now();
  const child = spawn(
    "mpv",
    ["--idle=yes", "--input-terminal=no", ...HEADLESS, `--input-ipc-server=${socket}`],
    { stdio: "ignore" },
  );
  while (!existsSync(socket)) await new Promise((resolve) => setTimeout(resolve, 1));
  const elapsed = performance.now() - started;
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("close", resolve));
  rmSync(dir, { recursive: true, force: true });
  return elapsed;
}

const alone: number[] = [];
for (let i = 0; i < RUNS; i++) alone.push(await mpvAlone());
const embedded = await measure(undefined);
const postgres = await freshDatabase("postgres");
let production: Measured;
try {
  production = await measure(postgres.db);
} finally {
  await postgres.drop();
}

const bar = 1.3;
const ms = (value: number) => `${value.toFixed(0)} ms`;
const spread = (runs: number[]) => `${ms(Math.min(...runs))} / ${ms(Math.max(...runs))}`;
const row = (store: string, m: Measured) => {
  const b = median(m.bare);
  const o = median(m.launcher);
  const n = median(m.node);
  const verdict = o / b <= bar ? "met" : `not met (${ms(o - bar * b)} over)`;
  return `| ${store} | ${ms(b)} | ${ms(o)} | ${(o / b).toFixed(2)}x: ${verdict} | ${ms(n)} (${(n / b).toFixed(2)}x) |`;
};
const spreads = (store: string, m: Measured) =>
  `${store}: bare ${spread(m.bare)}, \`mpvstream play\` ${spread(m.launcher)}, \`node dist/cli.cjs play\` ${spread(m.node)}`;
const at = (m: Measured, label: string) => median(m.traces.flatMap((marks) => marks.get(label) ?? []));
const phases = (m: Measured) =>
  [...new Set(m.traces.flatMap((marks) => [...marks.keys()]))]
    .map((label) => ({ label, embedded: at(embedded, label), production: at(production, label) }))
    .sort((x, y) => x.embedded - y.embedded);
const beforeClock = (m: Measured) => median(m.launcher) - at(m, "play: first frame");

console.log(`## P7: \`mpvstream play\` to first frame

${RUNS} alternating runs of each side on the reference server's own media plane (test pattern
320x180 at 15 fps, 1 s segments, served by the /play gate; the server in the benchmark's process,
on the same two cores), once on each store, mpv 0.35.1, \`--vo=null --ao=null\`. Bare mpv:
\`mpv --no-config --ytdl=no --frames=1 URL\` on a session started beforehand, from spawn to its
\`first video frame\` log line. mpvstream: \`mpvstream play demo --json -- --frames=1\` from spawn
to the \`first_frame_at\` it reports: Node's start, credentials, the stream lookup, the paid session
start, \`loadfile\` and the first frame, all included. Last column: the same CLI started as
\`node dist/cli.cjs play\`, without the launcher (Node starts mpv itself, as on a system without
\`setpriv\` or with \`MPVSTREAM_NO_PRESTART=1\`).

| server's store (median) | bare \`mpv --frames=1\` | \`mpvstream play\` | ratio, bar <= ${bar}x | without the launcher |
|---|---|---|---|---|
${row("PGlite (embedded, `npm start`)", embedded)}
${row("PostgreSQL (production)", production)}

Min / max. ${spreads("PGlite", embedded)}. ${spreads("PostgreSQL", production)}.

Where the time goes with the launcher (\`MPVSTREAM_TRACE=1\`, median ms since Node's clock started;
the launcher, the spawn and Node's bootstrap before its clock add about ${ms(beforeClock(embedded))}):

| mark | PGlite | PostgreSQL |
|---|---|---|
${phases(embedded)
  .map((phase) => `| ${phase.label} | ${phase.embedded.toFixed(0)} | ${phase.production.toFixed(0)} |`)
  .join("\n")}

How the layout gets there. \`bin/mpvstream\` (a POSIX shell script) starts mpv idle for \`play\`
before it \`exec\`s Node, so that mpv's start-up (${ms(median(alone))} from spawn to its IPC
socket when it starts alone on the idle machine) overlaps Node's. Node then loads only what
\`play\` needs up to the first frame: one CommonJS file (about 7 ms to load here, against 13 ms as
ES modules), without \`@mpvstream/client\`, whose zod schemas and \`fetch\` (undici: about 30 ms
on its first call here) load once mpv shows the first frame. The stream lookup and the session
start go over \`node:http\`; any answer but the expected one is redone through the client with
the same Idempotency-Key (nothing is charged twice). The session is paid only once mpv has its IPC
socket up, which mpv opens after it has read its options: a missing mpv or an option it refuses
costs no points. What is left over bare mpv is CPU: on two cores, Node's and mpv's start-ups and
the server's session start compete (the launcher's mpv opens its socket
${ms(at(embedded, "play: mpv accepted its options") + beforeClock(embedded))} after the spawn here, against
${ms(median(alone))} alone), and the paid session start itself, which bare mpv is spared.
`);

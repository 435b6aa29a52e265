// P1: gated live segments from reference-server's gate vs NGINX serving the same files ungated,
// 1 MB segments, 64 connections, wrk on loopback, in one run.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startNginx } from "./nginx.js";

const SEGMENTS = 6;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const work = mkdtempSync(path.join(os.tmpdir(), "bench-gate-"));
const hlsRoot = path.join(work, "hls");
const streamDir = path.join(hlsRoot, "demo");
mkdirSync(streamDir, { recursive: true });
for (let i = 0; i < SEGMENTS; i++)
  writeFileSync(path.join(streamDir, `seg${i}.ts`), randomBytes(1024 * 1024));
const sessionId = randomBytes(16).toString("base64url");

/** wrk with a Lua script that walks the segments, so both sides serve the same mix. */
function wrk(base: string): { mbPerSec: number; requestsPerSec: number; errors: number } {
  const script = path.join(work, "segments.lua");
  writeFileSync(
    script,
    `local i = 0\nrequest = function()\n  i = (i % ${SEGMENTS}) + 1\n  return wrk.format("GET", "${new URL(base).pathname}seg" .. (i - 1) .. ".ts")\nend\n`,
  );
  const out = execFileSync(
    "wrk",
    ["-t2", "-c64", `-d${DURATION_S}s`, "-s", script, `${new URL(base).origin}/`],
    {
      encoding: "utf8",
    },
  );
  const transfer = /Transfer\/sec:\s+([\d.]+)([KMG]B)/.exec(out);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const unit = { KB: 1 / 1024, MB: 1, GB: 1024 }[transfer?.[2] ?? "MB"] ?? 1;
  return {
    mbPerSec: Number(transfer?.[1] ?? 0) * unit,
    requestsPerSec: Number(rps?.[1] ?? 0),
    errors:
      Number(non2xx?.[1] ?? 0) +
      (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}

const portFile = path.join(work, "gate.port");
const gate = spawn(
  process.execPath,
  ["--import", "tsx", path.join(import.meta.dirname, "gate-server.ts"), hlsRoot, "demo", sessionId, portFile],
  { stdio: ["ignore", "ignore", "inherit"] },
);
const nginx = await startNginx(`/play/${sessionId}/`, streamDir);
try {
  let gatePort = 0;
  for (let i = 0; i < 100 && gatePort === 0; i++) {
    try {
      gatePort = Number(readFileSync(portFile, "utf8"));
    } catch {
      await sleep(100);
    }
  }
  const nginxUrl = nginx.url;
  const gateUrl = `http://127.0.0.1:${gatePort}/play/${sessionId}/`;
  wrk(gateUrl); // warm the segment cache and the JIT
  const ours = wrk(gateUrl);
  const theirs = wrk(nginxUrl);
  if (ours.errors > 0 || theirs.errors > 0)
    throw new Error(`errors during the run: gate ${ours.errors}, NGINX ${theirs.errors}`);
  const ratio = ours.mbPerSec / theirs.mbPerSec;
  console.log(`## P1: gated segment throughput (reference-server gate vs NGINX static)

${SEGMENTS} segments of 1 MiB, wrk -t2 -c64 -d${DURATION_S}s on loopback. The gate checks the session and the
stream's state in memory and serves from the segment cache; NGINX serves the same files ungated with sendfile.

| server | MB/s | requests/s | errors |
|---|---|---|---|
| reference-server gate | ${ours.mbPerSec.toFixed(0)} | ${ours.requestsPerSec.toFixed(0)} | ${ours.errors} |
| NGINX static (sendfile) | ${theirs.mbPerSec.toFixed(0)} | ${theirs.requestsPerSec.toFixed(0)} | ${theirs.errors} |

Ratio: **${ratio.toFixed(2)}x** NGINX (bar: >= 0.9x) ${ratio >= 0.9 ? "- met" : "- NOT met"}.`);
} finally {
  await nginx.stop();
  gate.kill("SIGTERM");
  await sleep(300);
  rmSync(work, { recursive: true, force: true });
}

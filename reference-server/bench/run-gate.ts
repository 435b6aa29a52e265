// P1: gated live segments from reference-server's gate vs NGINX serving the same files ungated,
// 1 MB segments, 64 connections, wrk on loopback, in one run.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const SEGMENTS = 6;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const work = mkdtempSync(path.join(os.tmpdir(), "bench-gate-"));
chmodSync(work, 0o755); // NGINX's workers run as an unprivileged user and must read the files
const hlsRoot = path.join(work, "hls");
const streamDir = path.join(hlsRoot, "demo");
mkdirSync(streamDir, { recursive: true });
for (let i = 0; i < SEGMENTS; i++)
  writeFileSync(path.join(streamDir, `seg${i}.ts`), randomBytes(1024 * 1024));
const sessionId = randomBytes(16).toString("base64url");

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => resolve(socket.destroy() === undefined || true));
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on ${port}`);
}

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

const nginxPort = await freePort();
const conf = path.join(work, "nginx.conf");
writeFileSync(
  conf,
  `worker_processes auto;
pid ${work}/nginx.pid;
error_log ${work}/nginx-error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { video/mp2t ts; application/vnd.apple.mpegurl m3u8; }
  client_body_temp_path ${work}/body; proxy_temp_path ${work}/proxy; fastcgi_temp_path ${work}/fastcgi;
  uwsgi_temp_path ${work}/uwsgi; scgi_temp_path ${work}/scgi;
  server {
    listen 127.0.0.1:${nginxPort};
    location /play/${sessionId}/ { alias ${streamDir}/; }
  }
}
`,
);
const nginxBin = ["/usr/sbin/nginx", "nginx"].find((bin) => {
  try {
    execFileSync(bin, ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
});
if (nginxBin === undefined) throw new Error("nginx is not installed: run npm run setup");
const nginx = spawn(nginxBin, ["-c", conf, "-p", work], { stdio: ["ignore", "ignore", "inherit"] });
const portFile = path.join(work, "gate.port");
const gate = spawn(
  process.execPath,
  ["--import", "tsx", path.join(import.meta.dirname, "gate-server.ts"), hlsRoot, "demo", sessionId, portFile],
  { stdio: ["ignore", "ignore", "inherit"] },
);
try {
  await waitFor(nginxPort);
  let gatePort = 0;
  for (let i = 0; i < 100 && gatePort === 0; i++) {
    try {
      gatePort = Number(readFileSync(portFile, "utf8"));
    } catch {
      await sleep(100);
    }
  }
  const nginxUrl = `http://127.0.0.1:${nginxPort}/play/${sessionId}/`;
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
  nginx.kill("SIGTERM");
  gate.kill("SIGTERM");
  await sleep(300);
  rmSync(work, { recursive: true, force: true });
}

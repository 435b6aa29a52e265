// NGINX serving a directory ungated, the baseline of the media benchmarks.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** A free TCP port on the loopback address. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once something accepts connections on the port (10 s at most). */
export async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on ${port}`);
}

/** Makes `dir` and its parents up to the temp directory traversable by NGINX's unprivileged workers. */
export function openToNginx(dir: string): void {
  for (let at = dir; at !== path.dirname(at) && at !== os.tmpdir(); at = path.dirname(at)) {
    try {
      chmodSync(at, 0o755);
    } catch {}
  }
}

/**
 * A whole nginx.conf for an NGINX run in the foreground from the working directory `work` (its
 * pid, error log and temporary files there, no access log), with `http` inside its `http {}`.
 */
export function nginxConf(work: string, http: string): string {
  return `worker_processes auto;
pid ${work}/nginx.pid;
error_log ${work}/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${work}/b; proxy_temp_path ${work}/p; fastcgi_temp_path ${work}/f;
  uwsgi_temp_path ${work}/u; scgi_temp_path ${work}/s;
  ${http}
}
`;
}

/**
 * Starts NGINX (sendfile, no access log) serving `dir` at `http://127.0.0.1:<port><location>`.
 * `stop()` ends it and removes its working directory.
 */
export async function startNginx(
  location: string,
  dir: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const bin = ["/usr/sbin/nginx", "nginx"].find((candidate) => spawnSync(candidate, ["-v"]).status === 0);
  if (bin === undefined) throw new Error("nginx is not installed: run npm run setup");
  openToNginx(dir);
  const work = mkdtempSync(path.join(os.tmpdir(), "bench-nginx-"));
  const port = await freePort();
  writeFileSync(
    path.join(work, "nginx.conf"),
    nginxConf(
      work,
      `sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { video/mp2t ts; application/vnd.apple.mpegurl m3u8; }
  server {
    listen 127.0.0.1:${port};
    location ${location} { alias ${dir}/; add_header Cache-Control no-cache; }
  }`,
    ),
  );
  const child = spawn(bin, ["-c", path.join(work, "nginx.conf"), "-p", work], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitForPort(port);
  return {
    url: `http://127.0.0.1:${port}${location}`,
    async stop() {
      child.kill("SIGTERM");
      await sleep(300);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

const CLI = join(import.meta.dirname, "..", "src", "cli.ts");

/** Runs the CLI from its sources with tsx, in a clean environment plus `env`. */
function run(args: string[], env: Record<string, string>, input?: string) {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "warn", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdin.end(input ?? "");
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

describe("configuration", () => {
  it.each([
    [{ PORT: "abc" }, 'config: PORT must be a whole number from 0 to 65535 (got "abc")'],
    [{ PORT: "70000" }, 'config: PORT must be a whole number from 0 to 65535 (got "70000")'],
    [
      { PUBLIC_URL: "ftp://x" },
      'config: PUBLIC_URL must be a URL starting with http:// or https:// (got "ftp://x")',
    ],
    [
      { DATABASE_URL: "mysql://x" },
      "config: DATABASE_URL must be a URL starting with postgres:// or postgresql://",
    ],
    [{ REDIS_URL: "http://x" }, "config: REDIS_URL must be a URL starting with redis:// or rediss://"],
    [
      { MPVSTREAM_ADMIN_EMAIL: "a@b" },
      "config: MPVSTREAM_ADMIN_EMAIL and MPVSTREAM_ADMIN_PASSWORD must be set together",
    ],
    [
      { MPVSTREAM_ADMIN_EMAIL: "a@b", MPVSTREAM_ADMIN_PASSWORD: "short" },
      "config: MPVSTREAM_ADMIN_PASSWORD must be at least 8 characters",
    ],
    [{ MPVSTREAM_DEMO: "yes" }, 'config: MPVSTREAM_DEMO must be "1" or "0" (got "yes")'],
    [
      { MPVSTREAM_DEMO: "1", NODE_ENV: "production" },
      "config: MPVSTREAM_DEMO must not be set when NODE_ENV=production (demo users have known passwords)",
    ],
    [{ SESSION_PERIOD_S: "0" }, 'config: SESSION_PERIOD_S must be a whole number from 5 to 3600 (got "0")'],
    [
      { MAX_SESSIONS_PER_USER: "-1" },
      'config: MAX_SESSIONS_PER_USER must be a whole number from 1 to 1000 (got "-1")',
    ],
    [{ METRICS_TOKEN: "short" }, "config: METRICS_TOKEN must be at least 16 characters"],
  ])("%o -> one clear line", (env, line) => {
    const result = loadConfig(env);
    expect(result).toEqual({ ok: false, errors: [line] });
  });

  it("reports every bad variable at once, and reads the documented defaults", () => {
    const bad = loadConfig({ PORT: "x", HOST: "", SESSION_PERIOD_S: "1.5", METRICS_TOKEN: "s" });
    expect(bad.ok ? [] : bad.errors).toHaveLength(3);
    const good = loadConfig({});
    expect(good.ok && good.config).toMatchObject({
      port: 8080,
      host: "127.0.0.1",
      publicUrl: "http://127.0.0.1:8080",
      sessionPeriodS: 60,
      sessionGraceS: 10,
      maxSessionsPerUser: 2,
      demo: false,
      databaseUrl: undefined,
      redisUrl: undefined,
    });
  });
});

describe("mpvstream-server", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "mpvstream-cli-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("prints help, and exits 2 with one line per bad variable", async () => {
    const help = await run(["--help"], {}).done;
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("create-admin <email>");
    const bad = await run(["start"], {
      PORT: "x",
      MPVSTREAM_DEMO: "1",
      NODE_ENV: "production",
      DATA_DIR: dataDir,
    }).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toEqual([
      'config: PORT must be a whole number from 0 to 65535 (got "x")',
      "config: MPVSTREAM_DEMO must not be set when NODE_ENV=production (demo users have known passwords)",
    ]);
    const unknown = await run(["serve"], {}).done;
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('unknown command "serve"')]);
  }, 60_000);

  it("says which address is taken when the port is in use, and exits 1", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as AddressInfo;
    const ownDir = await mkdtemp(join(tmpdir(), "mpvstream-cli-port-"));
    try {
      const taken = await run(["start"], { PORT: String(port), DATA_DIR: ownDir, LOG_LEVEL: "silent" }).done;
      expect(taken.code).toBe(1);
      expect(taken.stderr.trim()).toBe(
        `mpvstream-server: 127.0.0.1:${port} is already in use by another program: stop it, or choose another port with PORT=...`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      await rm(ownDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("prints an NGINX edge configuration that NGINX accepts, and refuses bad options", async () => {
    const work = await mkdtemp(join(tmpdir(), "mpvstream-cli-nginx-"));
    try {
      const printed = await run(
        ["nginx-config", "--listen", "127.0.0.1:9999", "--cache-dir", join(work, "cache")],
        {
          PORT: "8181",
          DATA_DIR: join(work, "data"),
        },
      ).done;
      expect(printed.code, printed.stderr).toBe(0);
      expect(printed.stdout).toContain("server 127.0.0.1:8181;");
      expect(printed.stdout).toContain(
        `alias ${join(work, "data", "hls")}/$mpvstream_stream/$mpvstream_file;`,
      );
      expect(printed.stdout).toContain("listen 127.0.0.1:9999;");
      await writeFile(join(work, "edge.conf"), printed.stdout);
      await writeFile(
        join(work, "nginx.conf"),
        `pid ${work}/nginx.pid;\nerror_log ${work}/error.log;\nevents {}\nhttp {\n  include ${work}/edge.conf;\n}\n`,
      );
      const tested = spawnSync("nginx", ["-t", "-q", "-c", join(work, "nginx.conf"), "-p", work], {
        encoding: "utf8",
      });
      expect(tested.status, tested.stderr).toBe(0);

      const bad = await run(["nginx-config", "--auth-cache", "0"], { DATA_DIR: join(work, "data") }).done;
      expect([bad.code, bad.stderr.trim()]).toEqual([
        2,
        "nginx-config: --auth-cache takes whole seconds from 1 to 60",
      ]);
      const unknown = await run(["nginx-config", "--nope"], { DATA_DIR: join(work, "data") }).done;
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("Unknown option '--nope'");
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 60_000);

  it("migrates, creates an admin from stdin, then starts in demo mode and stops on SIGTERM", async () => {
    const env = { DATA_DIR: dataDir };
    const migrated = await run(["migrate"], env).done;
    expect([migrated.code, migrated.stdout]).toEqual([0, "applied migrations 1 (version 1, pglite)\n"]);
    expect((await run(["migrate"], env).done).stdout).toBe("schema up to date (version 1, pglite)\n");
    const created = await run(["create-admin", "boss@example.test"], env, "boss-password\n").done;
    expect(created.stdout).toMatch(/^created admin boss@example.test \(/);
    const short = await run(["create-admin", "boss@example.test"], env, "short\n").done;
    expect(short.code).toBe(2);

    const server: {
      child: ChildProcess;
      done: Promise<{ code: number | null; stdout: string; stderr: string }>;
    } = run(["start"], { ...env, PORT: "0", MPVSTREAM_DEMO: "1", LOG_LEVEL: "info" });
    try {
      let out = "";
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 60_000);
        server.child.stdout?.on("data", (chunk) => {
          out += chunk;
          const match = /"url":"(http:[^"]+)"/.exec(out);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const login = await fetch(`${url}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "demo@local", password: "demo" }),
      });
      const body = (await login.json()) as { access_token: string; user: { points_balance: number } };
      expect(body.user.points_balance).toBe(1000);
      // The demo stream is live once its pipeline has produced a playlist (at once without one).
      let state = "";
      for (const until = Date.now() + 45_000; state !== "live" && Date.now() < until; ) {
        const res = await fetch(`${url}/streams/demo`, {
          headers: { authorization: `Bearer ${body.access_token}` },
        });
        state = ((await res.json()) as { state: string }).state;
        if (state !== "live") await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(state).toBe("live");
      const boss = await fetch(`${url}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "boss@example.test", password: "boss-password" }),
      });
      expect(boss.status).toBe(200);
    } catch (error) {
      server.child.kill("SIGTERM");
      throw error;
    }
    server.child.kill("SIGTERM");
    const exit = await server.done;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('"msg":"stopped"');
    expect(exit.stdout).not.toContain("boss-password");
  }, 120_000);
});

// A real platform for the player's tests: the reference server on port 0 (PGlite), with its own
// media plane (one ffmpeg test-pattern pipeline per live stream, served by its /play gate) when a
// test needs video, or the recording controller (no ffmpeg) when it does not.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type MpvstreamClient } from "@mpvstream/client";
import { pino } from "pino";
import { pipelineController, recordingController } from "../../reference-server/src/app.js";
import { defineConfig } from "../../reference-server/src/config.js";
import type { Database } from "../../reference-server/src/db/database.js";
import { type ServerHandle, startServer } from "../../reference-server/src/server.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const CLI = path.join(here, "..", "src", "cli.ts");
/** The installed command: the shell launcher in front of the built dist/cli.cjs (`npm run build`). */
export const LAUNCHER = path.join(here, "..", "bin", "mpvstream");
const TSCONFIG = path.join(here, "tsconfig.cli.json");

/** Small, fast pipelines: the tests run beside other work on two cores. */
const PIPELINE = {
  segmentSeconds: 1,
  windowSize: 6,
  testPattern: { width: 320, height: 180, fps: 15 },
  encode: { preset: "ultrafast" },
  backoff: { initialMs: 300, maxMs: 2_000 },
};

export const ADMIN = { email: "admin@example.test", password: "admin-password-1" };

export interface Platform {
  readonly server: ServerHandle;
  readonly url: string;
  readonly admin: MpvstreamClient;
  /** Makes a viewer with a password and points; returns its id. */
  user(email: string, points: number, password?: string): Promise<string>;
  /** A fresh config home (XDG_CONFIG_HOME) for one test. */
  home(): Promise<string>;
  /** A new viewer with `points`, logged in through the CLI in a fresh home, and a client of its own. */
  viewer(points: number): Promise<{ email: string; home: string; client: MpvstreamClient }>;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** Serve a live test-pattern stream `demo` through the gate. */
  readonly media?: boolean;
  readonly sessionPeriodS?: number;
  /** The store (left open on close); by default an in-memory PGlite in the platform's directory. */
  readonly database?: Database;
}

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const root = await mkdtemp(path.join(tmpdir(), "mpvstream-player-"));
  const dataDir = path.join(root, "data");
  await mkdir(dataDir);
  const server = await startServer(
    defineConfig({
      port: 0,
      dataDir,
      logLevel: "silent",
      admin: ADMIN,
      sessionPeriodS: options.sessionPeriodS ?? 60,
      maxSessionsPerUser: 2,
    }),
    {
      logger: pino({ level: "silent" }),
      passwordCost: { log2N: 10, r: 8, p: 1 },
      streamController: options.media ? pipelineController(PIPELINE) : recordingController(),
      ...(options.database ? { database: options.database } : {}),
      limits: {
        loginPerAddress: { limit: 1000, periodS: 60, burst: 1000 },
        loginPerAccount: { limit: 1000, periodS: 60, burst: 1000 },
        playbackStartPerAccount: { limit: 1000, periodS: 60, burst: 1000 },
      },
    },
  );
  const admin = createClient({ baseUrl: server.url });
  await admin.login(ADMIN);

  if (options.media) {
    await admin.createStream({ id: "demo", title: "Demo", points_per_minute: 60, source: { kind: "test" } });
    await admin.setStreamState("demo", { state: "live" });
    const deadline = Date.now() + 90_000;
    while ((await admin.getStream("demo")).state !== "live") {
      if (Date.now() > deadline) throw new Error("the demo stream did not go live in 90 s");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  let viewers = 0;
  const platform: Platform = {
    server,
    url: server.url,
    admin,
    async viewer(points) {
      const email = `viewer-${++viewers}@example.test`;
      await platform.user(email, points);
      const home = await platform.home();
      await loginAs(home, server.url, email);
      const client = createClient({ baseUrl: server.url });
      await client.login({ email, password: "viewer-password" });
      return { email, home, client };
    },
    async user(email, points, password = "viewer-password") {
      const user = await admin.createUser({ email, password, role: "user" });
      if (points > 0) await admin.changePoints(user.id, { delta: points, reason: "test grant" });
      return user.id;
    },
    async home() {
      return mkdtemp(path.join(root, "home-"));
    },
    async close() {
      await server.close(1000);
      await rm(root, { recursive: true, force: true });
    },
  };
  return platform;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<RunResult>;
  /** Resolves once stderr or stdout contains the text (rejects after `timeoutMs`). */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  output(): string;
}

/** How {@link startCli} runs the CLI. */
export interface CliOptions {
  readonly home: string;
  readonly server?: string;
  readonly stdin?: string;
  readonly env?: Record<string, string>;
  /**
   * Run it as installed: `bin/mpvstream` (which starts mpv ahead for `play`) on the built
   * `dist/cli.cjs`. By default the CLI source runs through tsx, packages from source.
   */
  readonly launcher?: boolean;
}

/** Starts `mpvstream ARGS` as a real process. */
export function startCli(args: readonly string[], options: CliOptions): Running {
  if (options.launcher && !existsSync(path.join(here, "..", "dist", "cli.cjs")))
    throw new Error("the launcher runs dist/cli.cjs: build first (npm run build)");
  const [command, ...prefix] = options.launcher ? [LAUNCHER] : [process.execPath, "--import", "tsx", CLI];
  const child = spawn(command ?? LAUNCHER, [...prefix, ...args], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: options.home,
      XDG_CONFIG_HOME: options.home,
      TSX_TSCONFIG_PATH: TSCONFIG,
      ...(options.server === undefined ? {} : { MPVSTREAM_SERVER: options.server }),
      ...options.env,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const w of waiters) w();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const w of waiters) w();
  });
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  else child.stdin?.end();
  const done = new Promise<RunResult>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    child,
    done,
    output: () => stdout + stderr,
    waitFor(text, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const all = stdout + stderr;
          if (typeof text === "string" ? all.includes(text) : text.test(all)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${String(text)}; output so far:\n${stdout}${stderr}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** Runs `mpvstream ARGS` to the end. */
export function runCli(args: readonly string[], options: CliOptions): Promise<RunResult> {
  return startCli(args, options).done;
}

/** Logs `email` in through `--password-stdin` in `home`. */
export async function loginAs(
  home: string,
  server: string,
  email: string,
  password = "viewer-password",
): Promise<void> {
  const result = await runCli(["login", "--email", email, "--password-stdin"], {
    home,
    server,
    stdin: `${password}\n`,
  });
  if (result.code !== 0) throw new Error(`login failed: ${result.stderr}`);
}

/** Polls until `check` holds (a deadline of several seconds, never a speed assertion). */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

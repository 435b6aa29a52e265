// A reference server with the real pipeline for the media benchmarks: one live test-pattern
// stream "bench", an admin, and limits high enough for thousands of simulated viewers.
// Prints one JSON line {url, hlsDir} when the stream is live.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { pipelineController } from "../src/app.js";
import { defineConfig } from "../src/config.js";
import type { PipelineStreamController } from "../src/media/pipelines.js";
import { startServer } from "../src/server.js";

const dataDir = mkdtempSync(join(tmpdir(), "bench-media-"));
const unlimited = { limit: 1_000_000, periodS: 1, burst: 1_000_000 };
const server = await startServer(
  defineConfig({
    port: 0,
    dataDir,
    logLevel: "silent",
    admin: { email: "admin@bench.test", password: "bench-admin-password" },
    maxSessionsPerUser: 100_000,
  }),
  {
    logger: pino({ level: "silent" }),
    passwordCost: { log2N: 10, r: 8, p: 1 },
    limits: { loginPerAddress: unlimited, loginPerAccount: unlimited, playbackStartPerAccount: unlimited },
    streamController: pipelineController({
      segmentSeconds: 1,
      windowSize: 6,
      testPattern: { width: 640, height: 360, fps: 25 },
      encode: { preset: "ultrafast" },
    }),
  },
);
const controller = server.controller as PipelineStreamController;
await server.context.streams.create(
  { id: "bench", title: "Bench", points_per_minute: 1, source: { kind: "test" } },
  Date.now(),
);
await controller.setState("bench", "live");
while (!controller.isLive("bench")) await new Promise((resolve) => setTimeout(resolve, 100));
process.stdout.write(`${JSON.stringify({ url: server.url, hlsDir: controller.dirOf("bench") })}\n`);
process.on("SIGTERM", () => {
  server
    .close(1000)
    .then(() => rmSync(dataDir, { recursive: true, force: true }))
    .finally(() => process.exit(0));
});

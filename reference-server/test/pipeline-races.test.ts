import { execFile } from "node:child_process";
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrations.js";
import { PipelineStreamController } from "../src/media/pipelines.js";
import { SegmentCache } from "../src/media/segment-cache.js";
import { ErrorLog } from "../src/monitoring/errors.js";
import { StreamStore } from "../src/store/streams.js";

const run = promisify(execFile);

const PIPELINE = {
  segmentSeconds: 1,
  windowSize: 6,
  testPattern: { width: 160, height: 90, fps: 10 },
  encode: { preset: "ultrafast" },
  backoff: { initialMs: 300, maxMs: 2_000 },
};

/** A real stream store whose next `get` of one stream can be held, to open a race window on purpose. */
class HeldStore extends StreamStore {
  hold: { id: string; skip: number; reached: () => void; release: Promise<void> } | undefined;
  override async get(id: string, now: number) {
    const hold = this.hold;
    if (hold?.id === id) {
      if (hold.skip > 0) hold.skip--;
      else {
        this.hold = undefined;
        hold.reached();
        await hold.release;
      }
    }
    return super.get(id, now);
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const dataDir = await mkdtemp(join(tmpdir(), "mpvstream-races-"));
  const db = await openDatabase({ kind: "pglite", dataDir: undefined });
  await migrate(db);
  const streams = new HeldStore(db);
  const cache = new SegmentCache();
  const controller = new PipelineStreamController({
    streams,
    errors: new ErrorLog(Date.now),
    hlsRoot: join(dataDir, "hls"),
    cache,
    clock: Date.now,
    logger: pino({ level: "silent" }),
    pipeline: PIPELINE,
  });
  cleanups.push(async () => {
    await controller.close();
    cache.close();
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { streams, cache, controller };
}

const ffmpegsWriting = async (dir: string): Promise<number> => {
  try {
    const { stdout } = await run("pgrep", ["-f", `${dir}/`]);
    return stdout.trim().split("\n").filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
};

describe("pipeline controller races", () => {
  it("an offline asked for while the pipeline is being set up leaves no pipeline running", async () => {
    const { streams, cache, controller } = await setup();
    await streams.create(
      { id: "race", title: "Race", points_per_minute: 1, source: { kind: "test" } },
      Date.now(),
    );
    let reached!: () => void;
    const atHold = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let release!: () => void;
    // setState("live") reads the stream once, then again while setting the pipeline up: hold that second read.
    streams.hold = {
      id: "race",
      skip: 1,
      reached,
      release: new Promise<void>((resolve) => {
        release = resolve;
      }),
    };
    const live = controller.setState("race", "live");
    await atHold;
    const offline = controller.setState("race", "offline");
    // Let the offline request get as far as it can before the set-up goes on.
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await live;
    await offline;

    const dir = controller.dirOf("race");
    const deadline = Date.now() + 10_000;
    while ((await streams.get("race", Date.now()))?.state !== "offline") {
      if (Date.now() > deadline) throw new Error("the stream never went offline");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Give a wrongly started ffmpeg time to appear.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await ffmpegsWriting(dir)).toBe(0);
    expect(cache.isWatched(dir)).toBe(false);
    expect(controller.isLive("race")).toBe(false);
    await expect(access(dir)).rejects.toMatchObject({ code: "ENOENT" });
  }, 30_000);
});

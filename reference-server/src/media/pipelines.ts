import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Stream, StreamSource, StreamState } from "@mpvstream/core";
import { type HlsError, HlsPipeline, type HlsPipelineOptions, isHlsError, type Source } from "@mpvstream/hls";
import type { Logger } from "pino";
import { HttpProblem } from "../http/problem.js";
import type { ErrorLog } from "../monitoring/errors.js";
import type { StreamStore } from "../store/streams.js";
import type { StreamController } from "../streams/controller.js";
import type { SegmentCache } from "./segment-cache.js";

/** Settings every stream's pipeline shares; the stream's own record gives the source. */
export type PipelineDefaults = Omit<HlsPipelineOptions, "source" | "outputDir"> & {
  /** Picture size and rate of the generated test pattern (the demo); default 1280x720 at 25 fps. */
  testPattern?: { width?: number; height?: number; fps?: number };
};

/** What a {@link PipelineStreamController} works with. */
export interface PipelineControllerOptions {
  /** The stream records and their state. */
  streams: StreamStore;
  /** Where crashes and start failures are recorded for `/monitoring/errors`. */
  errors: ErrorLog;
  /** `DATA_DIR/hls`: each stream writes to `<hlsRoot>/<stream_id>/`. */
  hlsRoot: string;
  /** The gate's file cache: a stream's directory is watched while it runs. */
  cache: SegmentCache;
  /** Milliseconds clock. */
  clock: () => number;
  /** Logger. */
  logger: Logger;
  /** Pipeline settings (segment length, window, encoder, backoff, ffmpeg path). */
  pipeline?: PipelineDefaults;
  /** Called on every pipeline failure (crash, refused start, gave up), after it is recorded. */
  onFailure?: (streamId: string) => void;
}

interface Running {
  readonly pipeline: HlsPipeline;
  readonly dir: string;
  /** Settles when `start()` has (a stop during its pre-flight would not stop the ffmpeg it spawns after). */
  started: Promise<unknown>;
}

/**
 * Drives one supervised `@mpvstream/hls` pipeline per stream behind the admin routes, and keeps
 * the stream's recorded state in step with it: `starting` until the first playable playlist
 * exists, `live` then, `error` on a crash (with ffmpeg's last lines in `/monitoring/errors`),
 * back to `starting` when the supervisor restarts it and `live` when it is ready again.
 *
 * @example
 * ```ts
 * const controller = new PipelineStreamController({ streams, errors, hlsRoot, cache, clock, logger });
 * await controller.resume(); // streams left live come back up
 * await controller.setState("demo", "live");
 * controller.isLive("demo"); // true once the playlist is playable
 * ```
 */
export class PipelineStreamController implements StreamController {
  readonly #options: PipelineControllerOptions;
  readonly #running = new Map<string, Running>();
  readonly #live = new Set<string>();
  /** The admin operation in flight per stream: set-ups and stops of one stream run one at a time. */
  readonly #busy = new Map<string, Promise<unknown>>();
  #closed = false;

  /** Creates the controller; nothing runs until `resume()` or `setState()`. */
  constructor(options: PipelineControllerOptions) {
    this.#options = options;
  }

  /** Whether the stream's pipeline has a playable playlist now (what the gate checks). */
  isLive(id: string): boolean {
    return this.#live.has(id);
  }

  /** The directory a stream's HLS files are written to. */
  dirOf(id: string): string {
    return path.join(this.#options.hlsRoot, id);
  }

  /**
   * Brings back up every stream that was live (or starting, or failing) when the server last
   * stopped, and settles streams left `stopping` as `offline`.
   */
  async resume(): Promise<void> {
    const { streams, clock } = this.#options;
    for (const stream of await streams.list(clock())) {
      if (stream.state === "stopping") {
        await streams.transition(stream.id, "stopping", "offline", clock());
        await this.#clean(stream.id);
      } else if (stream.state === "live") {
        await streams.transition(
          stream.id,
          "live",
          "error",
          clock(),
          "the server restarted; starting the pipeline again",
        );
        await this.#startFrom(stream.id, "error");
      } else if (stream.state === "starting" || stream.state === "error") {
        if (stream.state === "starting") {
          await streams.transition(
            stream.id,
            "starting",
            "error",
            clock(),
            "the server restarted; starting the pipeline again",
          );
        }
        await this.#startFrom(stream.id, "error");
      }
    }
  }

  /** {@inheritDoc StreamController.setState} */
  setState(id: string, target: "live" | "offline"): Promise<Stream> {
    return this.#exclusive(id, () => this.#setState(id, target));
  }

  async #setState(id: string, target: "live" | "offline"): Promise<Stream> {
    const stream = await this.#get(id);
    if (target === "live") {
      if (stream.state === "live" || stream.state === "starting") return stream;
      if (stream.state === "stopping") {
        throw new HttpProblem(
          "invalid_transition",
          `The stream "${id}" is stopping; set it live once it is offline.`,
        );
      }
      await this.#startFrom(id, stream.state);
      return this.#get(id);
    }
    if (stream.state === "offline" || stream.state === "stopping") return stream;
    await this.#move(id, stream.state, "stopping");
    void this.#stopThenOffline(id);
    return this.#get(id);
  }

  /** {@inheritDoc StreamController.restart} */
  restart(id: string): Promise<Stream> {
    return this.#exclusive(id, () => this.#restart(id));
  }

  async #restart(id: string): Promise<Stream> {
    const stream = await this.#get(id);
    if (stream.state === "offline" || stream.state === "stopping") {
      throw new HttpProblem(
        "invalid_transition",
        `The stream "${id}" is ${stream.state}; set it live instead.`,
      );
    }
    await this.#move(id, stream.state, "stopping");
    await this.#stop(id);
    await this.#move(id, "stopping", "offline");
    await this.#startFrom(id, "offline");
    return this.#get(id);
  }

  /** {@inheritDoc StreamController.close} */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#busy.values()]);
    // Recorded states stay as they are, so that `resume()` brings the same streams back.
    await Promise.all([...this.#running.keys()].map((id) => this.#stop(id)));
  }

  /**
   * Runs one admin operation on a stream after the previous one has finished: a stop asked for
   * while a pipeline is being set up would otherwise find nothing to stop, and the pipeline set up
   * just after it would run for a stream recorded offline.
   */
  #exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#busy.get(id) ?? Promise.resolve();
    const result = previous.then(work, work);
    const settled = result.then(
      () => {},
      () => {},
    );
    this.#busy.set(id, settled);
    void settled.then(() => {
      if (this.#busy.get(id) === settled) this.#busy.delete(id);
    });
    return result;
  }

  async #get(id: string): Promise<Stream> {
    const stream = await this.#options.streams.get(id, this.#options.clock());
    if (!stream) throw new HttpProblem("stream_not_found", `There is no stream "${id}".`);
    return stream;
  }

  async #move(id: string, from: StreamState, to: StreamState, lastError?: string): Promise<void> {
    const moved = await this.#options.streams.transition(id, from, to, this.#options.clock(), lastError);
    if (!moved) {
      throw new HttpProblem("invalid_transition", `The stream "${id}" changed state meanwhile; try again.`);
    }
  }

  /** Moves `from -> starting`, then starts a fresh pipeline whose events drive the state from there. */
  async #startFrom(id: string, from: StreamState): Promise<void> {
    await this.#move(id, from, "starting");
    await this.#stop(id);
    const stream = await this.#get(id);
    const dir = this.dirOf(id);
    await mkdir(dir, { recursive: true });
    if (this.#closed) return;
    this.#options.cache.watch(dir);
    const { testPattern, ...defaults } = this.#options.pipeline ?? {};
    let pipeline: HlsPipeline;
    try {
      pipeline = new HlsPipeline({
        ...defaults,
        source: toSource(stream.source, testPattern),
        outputDir: dir,
      });
    } catch (error) {
      await this.#fail(id, "starting", error);
      return;
    }
    const running: Running = { pipeline, dir, started: Promise.resolve() };
    this.#running.set(id, running);
    this.#wire(id, pipeline);
    // Pre-flight failures (missing file, port in use, no ffmpeg) reject start() with a clear code.
    running.started = pipeline.start().catch((error: unknown) => {
      // Stopped before ffmpeg was spawned: the stop itself settles the stream's state.
      if (isHlsError(error) && error.code === "not_running") return;
      if (this.#running.get(id)?.pipeline === pipeline) this.#running.delete(id);
      return this.#fail(id, "starting", error);
    });
  }

  #wire(id: string, pipeline: HlsPipeline): void {
    const { streams, errors, clock, logger } = this.#options;
    const current = () => this.#running.get(id)?.pipeline === pipeline && !this.#closed;
    const settle = (work: Promise<unknown>) => {
      work.catch((error: unknown) => logger.error({ err: error, stream: id }, "stream state update failed"));
    };
    pipeline.on("ready", () => {
      if (!current()) return;
      this.#live.add(id);
      settle(streams.transition(id, "starting", "live", clock()));
      logger.info({ stream: id }, "stream live");
    });
    pipeline.on("crash", (crash) => {
      if (!current()) return;
      this.#live.delete(id);
      const message = `${crash.error.message}\n${crash.lastLines.join("\n")}`.trim();
      errors.record("pipeline", message, id);
      this.#options.onFailure?.(id);
      logger.warn(
        { stream: id, code: crash.code, signal: crash.signal, restartInMs: crash.restartInMs },
        "ffmpeg crashed",
      );
      settle(
        (async () => {
          const summary = `${crash.error.message} (restarting in ${crash.restartInMs} ms)`;
          if (!(await streams.transition(id, "live", "error", clock(), summary))) {
            await streams.transition(id, "starting", "error", clock(), summary);
          }
        })(),
      );
    });
    pipeline.on("start", ({ restart }) => {
      if (!current() || !restart) return;
      settle(streams.transition(id, "error", "starting", clock()));
    });
    pipeline.on("failed", (error) => {
      if (!current()) return;
      this.#live.delete(id);
      this.#running.delete(id);
      settle(this.#fail(id, "error", error));
    });
    pipeline.on("exit", ({ reason }) => {
      if (!current()) return;
      if (reason === "ended") {
        // A file that is not looped has played to its end: the stream is over.
        this.#live.delete(id);
        this.#running.delete(id);
        settle(
          (async () => {
            // Clean before recording offline: a "live" asked for once the stream is offline
            // must not have its new directory removed by this cleanup.
            const wasLive = await streams.transition(id, "live", "stopping", clock());
            // A file too short to fill the first playlist ends while the stream is starting.
            if (!wasLive && (await streams.transition(id, "starting", "stopping", clock()))) {
              errors.record("pipeline", "the file ended before a playable playlist existed", id);
            }
            if ((await this.#get(id)).state === "stopping") {
              await this.#clean(id);
              await streams.transition(id, "stopping", "offline", clock());
            }
          })(),
        );
      } else if (reason === "disconnected") {
        // The RTMP publisher left; ffmpeg listens again and the stream is live again on the next publish.
        this.#live.delete(id);
        errors.record(
          "publisher_disconnected",
          "the publisher disconnected; waiting for it to publish again",
          id,
        );
        settle(
          (async () => {
            if (await streams.transition(id, "live", "error", clock(), "the publisher disconnected")) {
              await streams.transition(id, "error", "starting", clock());
            }
          })(),
        );
      }
    });
    pipeline.on("warning", (message) => logger.warn({ stream: id }, message));
  }

  async #fail(id: string, from: StreamState, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const lastLines = (error as HlsError | undefined)?.cause;
    this.#options.errors.record("pipeline", message, id);
    this.#options.onFailure?.(id);
    this.#options.logger.error({ stream: id, cause: lastLines }, `pipeline failed: ${message}`);
    await this.#options.streams.transition(id, from, "error", this.#options.clock(), message);
  }

  async #stop(id: string): Promise<void> {
    const running = this.#running.get(id);
    this.#live.delete(id);
    if (running === undefined) return;
    this.#running.delete(id);
    await running.started.catch(() => {});
    await running.pipeline.stop({ timeoutMs: 5_000 });
  }

  async #stopThenOffline(id: string): Promise<void> {
    try {
      await this.#stop(id);
      await this.#clean(id);
      await this.#options.streams.transition(id, "stopping", "offline", this.#options.clock());
    } catch (error) {
      this.#options.logger.error({ err: error, stream: id }, "stopping the stream failed");
    }
  }

  async #clean(id: string): Promise<void> {
    const dir = this.dirOf(id);
    this.#options.cache.unwatch(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Maps a stream's recorded source onto the packager's source. */
function toSource(source: StreamSource, testPattern: PipelineDefaults["testPattern"]): Source {
  switch (source.kind) {
    case "test":
      return { kind: "test", ...testPattern };
    case "file":
      return { kind: "file", path: source.path, loop: source.loop };
    case "url":
      return { kind: "url", url: source.url };
    case "rtmp":
      return { kind: "rtmp", port: source.port };
  }
}

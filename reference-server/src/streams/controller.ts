import { canTransition, type Stream, type StreamState } from "@mpvstream/core";
import { HttpProblem } from "../http/problem.js";
import type { StreamStore } from "../store/streams.js";

/**
 * What the admin routes call to change a stream's state. Issue 8 plugs the pipeline supervisor
 * in behind this interface; the routes do not change.
 */
export interface StreamController {
  /** Asks for a stream to go live or offline; resolves with the stream as it now is (202). */
  setState(id: string, target: "live" | "offline"): Promise<Stream>;
  /** Restarts a stream's pipeline; resolves with the stream as it now is (202). */
  restart(id: string): Promise<Stream>;
  /** Stops whatever the controller runs (pipelines), at shutdown. */
  close(): Promise<void>;
}

/**
 * Applies a sequence of transitions, each checked with `canTransition` and written as a
 * compare-and-set, so that a concurrent change makes this one fail with 409 instead of
 * overwriting it.
 */
export async function applyTransitions(
  store: StreamStore,
  id: string,
  path: readonly StreamState[],
  now: () => number,
): Promise<Stream> {
  const stream = await store.get(id, now());
  if (!stream) throw new HttpProblem("stream_not_found", `There is no stream "${id}".`);
  let state = stream.state;
  for (const next of path) {
    if (!canTransition(state, next)) {
      throw new HttpProblem(
        "invalid_transition",
        `The stream "${id}" is ${state} and cannot become ${next}.`,
      );
    }
    if (!(await store.transition(id, state, next, now()))) {
      throw new HttpProblem("invalid_transition", `The stream "${id}" changed state meanwhile; try again.`);
    }
    state = next;
  }
  const after = await store.get(id, now());
  if (!after) throw new HttpProblem("stream_not_found", `There is no stream "${id}".`);
  return after;
}

/** The transitions that take a stream from `from` to the target an admin asked for (empty: already there). */
export function pathTo(from: StreamState, target: "live" | "offline"): StreamState[] {
  if (target === "live") {
    if (from === "live" || from === "starting") return [];
    if (from === "offline" || from === "error") return ["starting", "live"];
    return ["starting"]; // stopping -> starting is refused by canTransition: 409
  }
  if (from === "offline" || from === "stopping") return [];
  return ["stopping", "offline"];
}

/**
 * The controller used until the media pipeline exists (issue 8): it checks and records the
 * state changes, moving through `starting`/`stopping` at once since nothing has to start.
 *
 * @example
 * ```ts
 * const controller = new RecordingStreamController(streams, Date.now);
 * await controller.setState("demo", "live");
 * ```
 */
export class RecordingStreamController implements StreamController {
  readonly #store: StreamStore;
  readonly #clock: () => number;

  /** Creates the controller over the stream store. */
  constructor(store: StreamStore, clock: () => number) {
    this.#store = store;
    this.#clock = clock;
  }

  /** {@inheritDoc StreamController.setState} */
  async setState(id: string, target: "live" | "offline"): Promise<Stream> {
    const stream = await this.#store.get(id, this.#clock());
    if (!stream) throw new HttpProblem("stream_not_found", `There is no stream "${id}".`);
    return applyTransitions(this.#store, id, pathTo(stream.state, target), this.#clock);
  }

  /** {@inheritDoc StreamController.restart} */
  async restart(id: string): Promise<Stream> {
    const stream = await this.#store.get(id, this.#clock());
    if (!stream) throw new HttpProblem("stream_not_found", `There is no stream "${id}".`);
    if (stream.state === "offline" || stream.state === "stopping") {
      throw new HttpProblem(
        "invalid_transition",
        `The stream "${id}" is ${stream.state}; set it live instead.`,
      );
    }
    return applyTransitions(this.#store, id, ["stopping", "offline", "starting", "live"], this.#clock);
  }

  /** {@inheritDoc StreamController.close} */
  async close(): Promise<void> {}
}

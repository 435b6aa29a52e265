import type { StreamState } from "./schemas/streams.js";

/**
 * The stream state machine as data: for each state, the states it may move to.
 * `error` is reached from `starting` or `live`; from `error` the supervisor restarts
 * (`starting`) or an admin stops the stream (`stopping`).
 *
 * @example
 * ```ts
 * STREAM_TRANSITIONS.offline; // ["starting"]
 * ```
 */
export const STREAM_TRANSITIONS: { readonly [S in StreamState]: readonly StreamState[] } = {
  offline: ["starting"],
  starting: ["live", "error", "stopping"],
  live: ["stopping", "error"],
  stopping: ["offline"],
  error: ["starting", "stopping"],
};

/**
 * Checks whether a stream may move from one state to another.
 *
 * @example
 * ```ts
 * canTransition("offline", "starting"); // true
 * canTransition("offline", "live"); // false
 * ```
 */
export function canTransition(from: StreamState, to: StreamState): boolean {
  return STREAM_TRANSITIONS[from].includes(to);
}

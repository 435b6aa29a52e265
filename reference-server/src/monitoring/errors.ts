import type { ErrorRecord } from "@mpvstream/core";

/**
 * The errors the server has seen, by kind (`internal`, `store_unavailable`, `redis`, and for
 * issue 8 `pipeline`), with a count and the latest occurrence: what `/monitoring/errors` lists.
 *
 * @example
 * ```ts
 * errors.record("pipeline", "ffmpeg exited with code 1", "demo");
 * ```
 */
export class ErrorLog {
  readonly #records = new Map<string, ErrorRecord>();
  readonly #clock: () => number;

  /** Creates an empty log. */
  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  /** Records one occurrence; per-stream kinds are kept apart by stream. */
  record(kind: string, message: string, streamId?: string): void {
    const id = streamId === undefined ? kind : `${kind}\u0000${streamId}`;
    const previous = this.#records.get(id);
    const record: ErrorRecord = {
      kind: kind.slice(0, 64),
      count: (previous?.count ?? 0) + 1,
      last_at: new Date(this.#clock()).toISOString(),
      last_message: message.slice(0, 4096),
    };
    if (streamId !== undefined) record.stream_id = streamId;
    this.#records.set(id, record);
  }

  /** Every kind, most recent first. */
  list(): ErrorRecord[] {
    return [...this.#records.values()].sort((a, b) => b.last_at.localeCompare(a.last_at));
  }
}

import { randomUUID } from "node:crypto";
import { isProblemError, type MpvstreamClient } from "@mpvstream/client";
import type { PlaybackRenewResponse } from "@mpvstream/core";

/** Problems worth another try with the same key: the renew may not have reached the server, or it was busy. */
const TRANSIENT = new Set([
  "network_error",
  "timeout",
  "service_unavailable",
  "rate_limited",
  "idempotency_in_progress",
  "internal",
]);

/** What the {@link Renewer} reports. */
export interface RenewerEvents {
  /** A renew succeeded (`points_charged` is 0 when no new period was due). */
  renewed(answer: PlaybackRenewResponse): void;
  /** A renew failed in a way worth retrying; it will be sent again with the same key. */
  retrying(error: unknown, attempt: number): void;
  /** The server answered 402: the paid period ends at `expiresAt` (ms) and will not be extended. */
  outOfPoints(expiresAt: number): void;
  /** The renew failed for good (session ended or revoked, login refused, server gone for too long). */
  failed(error: unknown): void;
}

/** Settings of a {@link Renewer}. */
export interface RenewerOptions extends RenewerEvents {
  readonly client: MpvstreamClient;
  readonly sessionId: string;
  /** When the current paid period ends (ms since the epoch). */
  readonly expiresAt: number;
  /** When to send the first renew, from `renew_after_s` of the start answer. */
  readonly renewAfterS: number;
  /** Wait between retries of one renew (default 2000 ms). */
  readonly retryDelayMs?: number;
  /** How long after `expiresAt` a renew is still worth retrying (the gate's grace; default 10 s). */
  readonly graceMs?: number;
  /** Time allowed per renew request (default 5000 ms). */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/**
 * Renews a playback session every `renew_after_s`, as the server asks. Each renew gets one
 * `Idempotency-Key`, kept through every retry: a renew lost in a network blip is sent again and
 * the server answers the first result instead of charging a second time.
 */
export class Renewer {
  readonly #options: RenewerOptions;
  readonly #abort = new AbortController();
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #expiresAt: number;
  #running: Promise<void> | undefined;

  constructor(options: RenewerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#expiresAt = options.expiresAt;
  }

  /** When the paid time ends now (ms since the epoch). */
  get expiresAt(): number {
    return this.#expiresAt;
  }

  /** Schedules the first renew. */
  start(): void {
    this.#schedule(this.#options.renewAfterS);
  }

  /** Stops renewing and cancels a renew in flight. */
  stop(): void {
    this.#abort.abort();
    clearTimeout(this.#timer);
  }

  /** Resolves when the renew in flight, if any, has settled. */
  async settled(): Promise<void> {
    await this.#running;
  }

  #schedule(afterS: number): void {
    if (this.#abort.signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#cycle();
    }, Math.max(1, afterS) * 1000);
  }

  async #cycle(): Promise<void> {
    const options = this.#options;
    const key = randomUUID();
    const graceMs = options.graceMs ?? 10_000;
    for (let attempt = 1; ; attempt++) {
      if (this.#abort.signal.aborted) return;
      try {
        const answer = await options.client.renewPlayback(
          { session_id: options.sessionId },
          { idempotencyKey: key, signal: this.#abort.signal, timeoutMs: options.timeoutMs ?? 5000 },
        );
        this.#expiresAt = Date.parse(answer.expires_at);
        options.renewed(answer);
        this.#schedule(answer.renew_after_s);
        return;
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        const code = isProblemError(error) ? error.code : undefined;
        if (code === "insufficient_points") {
          options.outOfPoints(this.#expiresAt);
          return;
        }
        const delay =
          isProblemError(error) && error.retryAfterMs !== undefined
            ? error.retryAfterMs
            : (options.retryDelayMs ?? 2000);
        if (code !== undefined && TRANSIENT.has(code) && this.#now() + delay < this.#expiresAt + graceMs) {
          options.retrying(error, attempt);
          await sleep(delay, this.#abort.signal);
          continue;
        }
        options.failed(error);
        return;
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

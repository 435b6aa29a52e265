/** When to restart after a crash, and when to give up. */
export interface BackoffOptions {
  /** Delay before the first restart; default 500 ms. */
  initialMs?: number;
  /** The delay doubles per crash up to this cap; default 30 s. */
  maxMs?: number;
  /** More crashes than this within `windowMs` gives up; default 5. */
  maxCrashes?: number;
  /** The window in which crashes are counted; default 60 s. */
  windowMs?: number;
}

/** What to do after a crash. */
export type BackoffDecision =
  | { action: "restart"; delayMs: number; crashes: number }
  | { action: "give_up"; crashes: number };

/**
 * Counts crashes in a sliding window: the restart delay doubles with each crash still in the
 * window (capped), and one crash too many in the window means give up. The clock is
 * injected so that tests need not wait.
 */
export class CrashBackoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #maxCrashes: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #crashes: number[] = [];

  constructor(options: BackoffOptions = {}, now: () => number = Date.now) {
    this.#initialMs = options.initialMs ?? 500;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#maxCrashes = options.maxCrashes ?? 5;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = now;
  }

  /** Records a crash now and decides. */
  crash(): BackoffDecision {
    const now = this.#now();
    this.#crashes = this.#crashes.filter((at) => now - at < this.#windowMs);
    this.#crashes.push(now);
    const count = this.#crashes.length;
    if (count > this.#maxCrashes) return { action: "give_up", crashes: count };
    const delayMs = Math.min(this.#maxMs, this.#initialMs * 2 ** (count - 1));
    return { action: "restart", delayMs, crashes: count };
  }

  /** Forgets past crashes (a manual start or restart). */
  reset(): void {
    this.#crashes = [];
  }
}

import type { Io } from "./io.js";

type Signal = "SIGINT" | "SIGTERM";

/**
 * SIGINT and SIGTERM, caught from the start of `play`: the first one received is remembered (a
 * Ctrl-C before the session exists just cancels) and passed on to the handler set later.
 */
export class Signals {
  #received: Signal | undefined;
  #handler: ((signal: Signal) => void) | undefined;
  readonly #unsubscribe: () => void;

  constructor(io: Io) {
    this.#unsubscribe = io.onSignal((signal) => {
      this.#received ??= signal;
      this.#handler?.(signal);
    });
  }

  /** The first signal received, if any. */
  get received(): Signal | undefined {
    return this.#received;
  }

  /** Sets who handles signals from now on; called at once if one was received already. */
  listen(handler: (signal: Signal) => void): void {
    this.#handler = handler;
    if (this.#received) handler(this.#received);
  }

  /** Stops catching the signals. */
  close(): void {
    this.#unsubscribe();
  }
}

import { duration, fit, points } from "./format.js";
import type { OutputStream } from "./io.js";

/** What the status line shows. */
export interface StatusFacts {
  readonly title: string;
  readonly watchedMs: number;
  readonly spent: number;
  readonly balance: number;
  /** Paid time left (ms), and the price, to estimate how long the balance lasts. */
  readonly paidLeftMs: number;
  readonly pointsPerMinute: number | undefined;
  /** A short note: `reconnecting`, `out of points`. */
  readonly note?: string | undefined;
}

/** How long the viewer can keep watching: the paid time left plus what the balance buys. */
export function timeLeftMs(
  facts: Pick<StatusFacts, "balance" | "paidLeftMs" | "pointsPerMinute">,
  outOfPoints = false,
): number | undefined {
  const paid = Math.max(0, facts.paidLeftMs);
  if (outOfPoints) return paid;
  if (facts.pointsPerMinute === undefined) return undefined;
  if (facts.pointsPerMinute === 0) return Number.POSITIVE_INFINITY;
  return paid + Math.floor(facts.balance / facts.pointsPerMinute) * 60_000;
}

/** The one-line status: `▶ Demo · 1m 05s · spent 10 points · balance 990 · about 3h 18m left`. */
export function statusLine(facts: StatusFacts, outOfPoints = false): string {
  const left = timeLeftMs(facts, outOfPoints);
  const parts = [
    `▶ ${facts.title}`,
    duration(facts.watchedMs),
    `spent ${points(facts.spent)}`,
    `balance ${facts.balance}`,
  ];
  if (left !== undefined)
    parts.push(
      left === Number.POSITIVE_INFINITY ? "free" : `${outOfPoints ? "" : "about "}${duration(left)} left`,
    );
  if (facts.note) parts.push(facts.note);
  return parts.join(" · ");
}

/**
 * Draws the status line on a terminal (redrawn in place) and prints other messages above it.
 * Off a terminal the status line is not drawn: messages are plain lines.
 */
export class StatusDisplay {
  readonly #out: OutputStream;
  readonly #tty: boolean;
  #shown = false;

  constructor(out: OutputStream) {
    this.#out = out;
    this.#tty = out.isTTY === true;
  }

  /** Whether a live status line is drawn. */
  get live(): boolean {
    return this.#tty;
  }

  /** Redraws the status line. */
  draw(line: string): void {
    if (!this.#tty) return;
    // A pseudo-terminal nobody sized reports 0 columns: assume 80 then.
    const columns = this.#out.columns || 80;
    const width = Math.max(20, columns - 1);
    this.#out.write(`\r\x1b[2K${fit(line, width)}`);
    this.#shown = true;
  }

  /** Prints a message on its own line (above the status line on a terminal). */
  message(text: string): void {
    this.clear();
    this.#out.write(`${text}\n`);
  }

  /** Removes the status line. */
  clear(): void {
    if (this.#tty && this.#shown) this.#out.write("\r\x1b[2K");
    this.#shown = false;
  }
}

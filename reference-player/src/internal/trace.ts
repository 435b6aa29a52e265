import { performance } from "node:perf_hooks";

const enabled = process.env.MPVSTREAM_TRACE === "1";

/**
 * With `MPVSTREAM_TRACE=1`, prints `mpvstream trace: <ms since the process started> <label>` on
 * stderr, to see where the time to first frame goes. Does nothing otherwise.
 */
export function mark(label: string): void {
  if (enabled)
    process.stderr.write(`mpvstream trace: ${performance.now().toFixed(1).padStart(7)} ms ${label}\n`);
}

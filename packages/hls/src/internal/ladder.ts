import { HlsError } from "./errors.js";

/** One rendition of an ABR ladder. */
export interface LadderRung {
  /** Name used for the variant playlist (`<name>.m3u8`) and its segments; `[A-Za-z0-9_-]+`. */
  name: string;
  /** Output width in pixels (even). */
  width: number;
  /** Output height in pixels (even). */
  height: number;
  /** Video bitrate in kbit/s. */
  videoBitrateKbps: number;
  /** Audio bitrate in kbit/s; default 128. */
  audioBitrateKbps?: number;
}

/**
 * A 720p/480p/360p ladder for a 16:9 source.
 *
 * @example
 * ```ts
 * new HlsPipeline({ source: { kind: "test" }, outputDir: "/srv/hls/demo", ladder: DEFAULT_LADDER });
 * ```
 */
export const DEFAULT_LADDER: readonly LadderRung[] = Object.freeze([
  { name: "720p", width: 1280, height: 720, videoBitrateKbps: 2800, audioBitrateKbps: 128 },
  { name: "480p", width: 854, height: 480, videoBitrateKbps: 1400, audioBitrateKbps: 96 },
  { name: "360p", width: 640, height: 360, videoBitrateKbps: 800, audioBitrateKbps: 96 },
]);

const namePattern = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Checks a ladder and throws `invalid_ladder` naming the first problem: empty, more than
 * eight rungs, a bad or duplicate name (`index` is taken by the master playlist), an odd or
 * non-positive size, a non-positive bitrate.
 *
 * @example
 * ```ts
 * validateLadder([{ name: "360p", width: 640, height: 360, videoBitrateKbps: 800 }]);
 * ```
 */
export function validateLadder(ladder: readonly LadderRung[]): void {
  const fail = (message: string): never => {
    throw new HlsError("invalid_ladder", message, { cause: { ladder } });
  };
  if (!Array.isArray(ladder) || ladder.length === 0) fail("the ladder needs at least one rung");
  if (ladder.length > 8) fail(`the ladder has ${ladder.length} rungs; at most 8 are allowed`);
  const seen = new Set<string>();
  for (const rung of ladder) {
    if (typeof rung?.name !== "string" || !namePattern.test(rung.name) || rung.name === "index") {
      fail(`bad rung name ${JSON.stringify(rung?.name)}: use 1-32 of [A-Za-z0-9_-], not "index"`);
    }
    if (seen.has(rung.name)) fail(`duplicate rung name "${rung.name}"`);
    seen.add(rung.name);
    for (const [key, value] of [
      ["width", rung.width],
      ["height", rung.height],
    ] as const) {
      if (!Number.isInteger(value) || value < 16 || value > 7680 || value % 2 !== 0) {
        fail(`rung "${rung.name}": ${key} must be an even integer from 16 to 7680, got ${value}`);
      }
    }
    for (const [key, value] of [
      ["videoBitrateKbps", rung.videoBitrateKbps],
      ["audioBitrateKbps", rung.audioBitrateKbps ?? 128],
    ] as const) {
      if (!Number.isFinite(value) || value <= 0 || value > 100_000) {
        fail(`rung "${rung.name}": ${key} must be a positive number of kbit/s, got ${value}`);
      }
    }
  }
}

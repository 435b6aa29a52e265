/** One `-progress` report from ffmpeg, typed. */
export interface Progress {
  /** Frames written so far. */
  frame: number;
  /** Current encoding rate in frames per second. */
  fps: number;
  /** Output bitrate in kbit/s (NaN while ffmpeg reports N/A). */
  bitrateKbps: number;
  /** Bytes written so far. */
  totalSize: number;
  /** Output position in milliseconds. */
  outTimeMs: number;
  /** Output position as ffmpeg prints it, `HH:MM:SS.micro`. */
  outTime: string;
  /** Realtime factor: 1 means as fast as the clock (NaN while N/A). */
  speed: number;
  /** Frames duplicated to keep the rate. */
  dupFrames: number;
  /** Frames dropped to keep the rate. */
  dropFrames: number;
  /** `true` on the last report, when ffmpeg is done. */
  end: boolean;
}

const num = (text: string | undefined): number => {
  if (text === undefined) return Number.NaN;
  const value = Number.parseFloat(text);
  return Number.isFinite(value) ? value : Number.NaN;
};

/**
 * Turns ffmpeg's `-progress` key=value lines into {@link Progress} reports: feed it
 * lines, it calls back once per block (each block ends with `progress=continue|end`).
 */
export function progressParser(onProgress: (progress: Progress) => void): (line: string) => void {
  let block = new Map<string, string>();
  return (line) => {
    const eq = line.indexOf("=");
    if (eq < 0) return;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key !== "progress") {
      // With several outputs ffmpeg repeats stream keys; the first value is the one we keep.
      if (!block.has(key)) block.set(key, value);
      return;
    }
    const outTimeUs = num(block.get("out_time_us") ?? block.get("out_time_ms"));
    onProgress({
      frame: num(block.get("frame")),
      fps: num(block.get("fps")),
      bitrateKbps: num(block.get("bitrate")),
      totalSize: num(block.get("total_size")),
      outTimeMs: Number.isFinite(outTimeUs) ? outTimeUs / 1000 : Number.NaN,
      outTime: block.get("out_time") ?? "",
      speed: num(block.get("speed")),
      dupFrames: num(block.get("dup_frames")),
      dropFrames: num(block.get("drop_frames")),
      end: value === "end",
    });
    block = new Map();
  };
}

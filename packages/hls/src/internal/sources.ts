/** A generated test pattern: moving picture, burned-in wall clock (ms) and frame number, and a tone. */
export interface TestSource {
  kind: "test";
  /** Picture width; default 1280. */
  width?: number;
  /** Picture height; default 720. */
  height?: number;
  /** Frames per second; default 25. */
  fps?: number;
  /** Tone frequency in Hz; default 1000. */
  toneHz?: number;
  /** Font for the burned-in clock; default: DejaVu Sans Mono, or whatever fontconfig offers. */
  fontFile?: string;
}

/** A media file read at its native rate, optionally looped forever. */
export interface FileSource {
  kind: "file";
  /** Path to the file. */
  path: string;
  /** Loop the file forever (the live stream never ends); default false. */
  loop?: boolean;
}

/**
 * Anything ffmpeg can pull: HLS, HTTP(S), RTSP, SRT, RTMP. An `srt://` URL is pulled in
 * caller mode and is not probed first (an SRT listener serves one caller): `start()` waits
 * until ffmpeg receives the stream instead, `codec: "auto"` encodes, and audio is assumed.
 */
export interface UrlSource {
  kind: "url";
  /** The URL to pull. */
  url: string;
  /** Socket read/write timeout, the probe deadline, and SRT's connect timeout; default 10 s. */
  timeoutMs?: number;
}

/** ffmpeg listens for one RTMP publisher (OBS publishes to `rtmp://host:port/live`). */
export interface RtmpSource {
  kind: "rtmp";
  /** TCP port to listen on. */
  port: number;
  /** Address to listen on; default `0.0.0.0`. */
  host?: string;
  /** RTMP application name; default `live`. */
  app?: string;
}

/** ffmpeg listens for one SRT caller sending MPEG-TS. */
export interface SrtSource {
  kind: "srt";
  /** UDP port to listen on. */
  port: number;
  /** Address to listen on; default `0.0.0.0`. */
  host?: string;
  /** Encryption passphrase (10 to 79 characters) the caller must use. */
  passphrase?: string;
}

/**
 * Where a pipeline's picture and sound come from; the server's stream `source` maps onto it.
 *
 * @example
 * ```ts
 * const sources: Source[] = [
 *   { kind: "test" },
 *   { kind: "file", path: "/videos/loop.mp4", loop: true },
 *   { kind: "url", url: "https://example.com/live/index.m3u8" },
 *   { kind: "rtmp", port: 1935 },
 *   { kind: "srt", port: 9000 },
 * ];
 * ```
 */
export type Source = TestSource | FileSource | UrlSource | RtmpSource | SrtSource;

/**
 * Tells whether a URL is SRT. An SRT listener (ffmpeg's, OBS's) serves a single caller, so
 * such a URL is never probed before ffmpeg pulls it: the probe would take the only connection.
 */
export function isSrtUrl(url: string): boolean {
  return /^srt:/i.test(url);
}

/** Escapes a value for use inside a filtergraph option (`:`, `'`, `\`, `,`, `;`, `[`, `]`). */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\':,;[\]]/g, (c) => `\\${c}`);
}

/** Seconds since local midnight, for a burned-in clock that reads as wall time with milliseconds. */
export function secondsSinceLocalMidnight(now: Date): number {
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  return (now.getTime() - midnight.getTime()) / 1000;
}

/** The drawtext filter that burns in the wall clock (HH:MM:SS.mmm) and the frame number. */
export function clockFilter(fontFile: string, startedAt: Date, height: number): string {
  const size = Math.max(10, Math.round(height / 14));
  const offset = secondsSinceLocalMidnight(startedAt).toFixed(3);
  // With -re the frame's pts tracks the wall clock, so pts + (start time of day) is the
  // time at which the frame was made, with milliseconds (localtime has only seconds).
  return [
    `drawtext=fontfile=${escapeFilterValue(fontFile)}`,
    `fontsize=${size}`,
    "fontcolor=white",
    "box=1",
    "boxcolor=black@0.7",
    "boxborderw=4",
    "x=(w-tw)/2",
    "y=h-th-12",
    `text='%{pts\\:hms\\:${offset}\\:24HH}  #%{n}'`,
  ].join(":");
}

/** Input arguments for one source (everything before the output options); `pace` reads a URL at native rate. */
export function inputArgs(source: Source, fontFile: string | null, startedAt: Date, pace = false): string[] {
  switch (source.kind) {
    case "test": {
      const width = source.width ?? 1280;
      const height = source.height ?? 720;
      const fps = source.fps ?? 25;
      const video = `testsrc2=size=${width}x${height}:rate=${fps}`;
      const withClock = fontFile === null ? video : `${video},${clockFilter(fontFile, startedAt, height)}`;
      return [
        "-re",
        "-f",
        "lavfi",
        "-i",
        withClock,
        "-re",
        "-f",
        "lavfi",
        "-i",
        `sine=frequency=${source.toneHz ?? 1000}:sample_rate=48000`,
      ];
    }
    case "file":
      return ["-re", ...(source.loop ? ["-stream_loop", "-1"] : []), "-i", source.path];
    case "url": {
      const timeoutUs = String((source.timeoutMs ?? 10_000) * 1000);
      if (/^rtsps?:/i.test(source.url))
        return ["-rtsp_transport", "tcp", "-timeout", timeoutUs, "-i", source.url];
      const http = /^https?:/i.test(source.url)
        ? [
            "-reconnect",
            "1",
            "-reconnect_streamed",
            "1",
            "-reconnect_on_network_error",
            "1",
            "-reconnect_delay_max",
            "5",
          ]
        : [];
      // libsrt gives up connecting after its own 3 s unless told otherwise.
      const srt = isSrtUrl(source.url) ? ["-connect_timeout", String(source.timeoutMs ?? 10_000)] : [];
      // A URL with a known duration is a file, not a live stream: read it at its native rate.
      return [...(pace ? ["-re"] : []), ...http, ...srt, "-rw_timeout", timeoutUs, "-i", source.url];
    }
    case "rtmp":
      return [
        "-listen",
        "1",
        "-f",
        "flv",
        "-i",
        `rtmp://${source.host ?? "0.0.0.0"}:${source.port}/${source.app ?? "live"}`,
      ];
    case "srt": {
      const passphrase = source.passphrase ? `&passphrase=${encodeURIComponent(source.passphrase)}` : "";
      return [
        "-f",
        "mpegts",
        "-i",
        `srt://${source.host ?? "0.0.0.0"}:${source.port}?mode=listener${passphrase}`,
      ];
    }
  }
}

/** The input stream specifiers for video and audio (the test pattern's tone is a second input). */
export function streamRefs(source: Source): { video: string; audio: string } {
  return source.kind === "test" ? { video: "0:v:0", audio: "1:a:0" } : { video: "0:v:0", audio: "0:a:0" };
}

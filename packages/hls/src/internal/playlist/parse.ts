import { HlsError } from "../errors.js";
import { extraOf, parseAttributes, toByteRange, toNumber, toResolution } from "./attributes.js";
import type {
  IFrameVariant,
  MasterPlaylist,
  MediaPlaylist,
  MediaSegment,
  Playlist,
  Rendition,
  SegmentKey,
  StartPoint,
  Variant,
} from "./types.js";

const invalid = (message: string, cause?: unknown): never => {
  throw new HlsError("invalid_playlist", message, { cause });
};

function lines(text: string): string[] {
  const all = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const kept = all.map((line) => line.trim()).filter((line) => line.length > 0);
  if (kept[0] !== "#EXTM3U") invalid("not an M3U8 playlist: the first line must be #EXTM3U");
  return kept.slice(1);
}

function split(line: string): [string, string] {
  const colon = line.indexOf(":");
  return colon < 0 ? [line, ""] : [line.slice(0, colon), line.slice(colon + 1)];
}

function start(value: string, line: string): StartPoint {
  const attrs = parseAttributes(value, line);
  const offset = attrs.get("TIME-OFFSET");
  if (!offset) return invalid(`EXT-X-START without TIME-OFFSET: ${line}`);
  const point: StartPoint = { timeOffset: toNumber(offset.value, line) };
  if (attrs.get("PRECISE")?.value === "YES") point.precise = true;
  return point;
}

function integer(value: string, line: string): number {
  const n = toNumber(value, line);
  if (!Number.isInteger(n) || n < 0) invalid(`expected a non-negative integer: ${line}`);
  return n;
}

/**
 * Parses a media playlist (the tags ffmpeg writes and the common ones of RFC 8216). Rejects
 * with `invalid_playlist` when the text is not one.
 *
 * @example
 * ```ts
 * const playlist = parseMediaPlaylist(await readFile("/srv/hls/demo/index.m3u8", "utf8"));
 * console.log(playlist.mediaSequence, playlist.segments.length);
 * ```
 */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const playlist: MediaPlaylist = {
    type: "media",
    targetDuration: Number.NaN,
    mediaSequence: 0,
    independentSegments: false,
    endList: false,
    segments: [],
  };
  let pending: Partial<MediaSegment> | undefined;
  let sawDuration = false;
  const segmentState = (): Partial<MediaSegment> => {
    pending ??= {};
    return pending;
  };
  for (const line of lines(text)) {
    if (!line.startsWith("#")) {
      if (!pending || pending.duration === undefined) invalid(`segment URI without #EXTINF: ${line}`);
      const segment = { ...pending, uri: line } as MediaSegment;
      playlist.segments.push(segment);
      pending = undefined;
      continue;
    }
    if (!line.startsWith("#EXT")) continue;
    const [tag, value] = split(line);
    switch (tag) {
      case "#EXT-X-VERSION":
        playlist.version = integer(value, line);
        break;
      case "#EXT-X-TARGETDURATION":
        playlist.targetDuration = integer(value, line);
        sawDuration = true;
        break;
      case "#EXT-X-MEDIA-SEQUENCE":
        playlist.mediaSequence = integer(value, line);
        break;
      case "#EXT-X-DISCONTINUITY-SEQUENCE":
        playlist.discontinuitySequence = integer(value, line);
        break;
      case "#EXT-X-PLAYLIST-TYPE":
        if (value !== "EVENT" && value !== "VOD") invalid(`bad playlist type: ${line}`);
        playlist.playlistType = value as "EVENT" | "VOD";
        break;
      case "#EXT-X-INDEPENDENT-SEGMENTS":
        playlist.independentSegments = true;
        break;
      case "#EXT-X-I-FRAMES-ONLY":
        playlist.iFramesOnly = true;
        break;
      case "#EXT-X-START":
        playlist.start = start(value, line);
        break;
      case "#EXT-X-ENDLIST":
        playlist.endList = true;
        break;
      case "#EXTINF": {
        const comma = value.indexOf(",");
        const duration = toNumber(comma < 0 ? value : value.slice(0, comma), line);
        if (duration < 0) invalid(`negative duration: ${line}`);
        const state = segmentState();
        state.duration = duration;
        const title = comma < 0 ? "" : value.slice(comma + 1);
        if (title.length > 0) state.title = title;
        break;
      }
      case "#EXT-X-DISCONTINUITY":
        segmentState().discontinuity = true;
        break;
      case "#EXT-X-PROGRAM-DATE-TIME":
        if (value.length === 0) invalid(`empty date: ${line}`);
        segmentState().programDateTime = value;
        break;
      case "#EXT-X-BYTERANGE":
        segmentState().byteRange = toByteRange(value, line);
        break;
      case "#EXT-X-GAP":
        segmentState().gap = true;
        break;
      case "#EXT-X-BITRATE":
        segmentState().bitrate = integer(value, line);
        break;
      case "#EXT-X-KEY": {
        const attrs = parseAttributes(value, line);
        const method = attrs.get("METHOD")?.value;
        if (!method) return invalid(`EXT-X-KEY without METHOD: ${line}`);
        const key: SegmentKey = { method };
        const uri = attrs.get("URI")?.value;
        if (uri !== undefined) key.uri = uri;
        const iv = attrs.get("IV")?.value;
        if (iv !== undefined) key.iv = iv;
        const format = attrs.get("KEYFORMAT")?.value;
        if (format !== undefined) key.keyFormat = format;
        const versions = attrs.get("KEYFORMATVERSIONS")?.value;
        if (versions !== undefined) key.keyFormatVersions = versions;
        segmentState().key = key;
        break;
      }
      case "#EXT-X-MAP": {
        const attrs = parseAttributes(value, line);
        const uri = attrs.get("URI")?.value;
        if (uri === undefined) return invalid(`EXT-X-MAP without URI: ${line}`);
        const range = attrs.get("BYTERANGE")?.value;
        segmentState().map = range === undefined ? { uri } : { uri, byteRange: toByteRange(range, line) };
        break;
      }
      default:
        if (tag === "#EXT-X-STREAM-INF" || tag === "#EXT-X-MEDIA")
          invalid(`master playlist tag in a media playlist: ${line}`);
        if (pending || playlist.segments.length > 0) {
          const state = segmentState();
          state.tags = [...(state.tags ?? []), line];
        } else {
          playlist.tags = [...(playlist.tags ?? []), line];
        }
    }
  }
  if (!sawDuration) invalid("media playlist without #EXT-X-TARGETDURATION");
  return playlist;
}

function variantOf(value: string, line: string, uri: string): Variant {
  const attrs = parseAttributes(value, line);
  const bandwidth = attrs.get("BANDWIDTH");
  if (!bandwidth) return invalid(`variant without BANDWIDTH: ${line}`);
  const variant: Variant = { uri, bandwidth: toNumber(bandwidth.value, line) };
  const get = (name: string) => attrs.get(name)?.value;
  const average = get("AVERAGE-BANDWIDTH");
  if (average !== undefined) variant.averageBandwidth = toNumber(average, line);
  const codecs = get("CODECS");
  if (codecs !== undefined) variant.codecs = codecs;
  const resolution = get("RESOLUTION");
  if (resolution !== undefined) variant.resolution = toResolution(resolution, line);
  const rate = get("FRAME-RATE");
  if (rate !== undefined) variant.frameRate = toNumber(rate, line);
  const hdcp = get("HDCP-LEVEL");
  if (hdcp !== undefined) variant.hdcpLevel = hdcp;
  for (const [name, key] of [
    ["AUDIO", "audio"],
    ["VIDEO", "video"],
    ["SUBTITLES", "subtitles"],
    ["CLOSED-CAPTIONS", "closedCaptions"],
  ] as const) {
    const found = get(name);
    if (found !== undefined) variant[key] = found;
  }
  const extra = extraOf(attrs, [...variantKnown, "URI"]);
  if (extra) variant.extra = extra;
  return variant;
}

/** Attribute names modelled on {@link Variant}. */
export const variantKnown = [
  "BANDWIDTH",
  "AVERAGE-BANDWIDTH",
  "CODECS",
  "RESOLUTION",
  "FRAME-RATE",
  "HDCP-LEVEL",
  "AUDIO",
  "VIDEO",
  "SUBTITLES",
  "CLOSED-CAPTIONS",
] as const;

/** Attribute names modelled on {@link Rendition}. */
export const renditionKnown = [
  "TYPE",
  "GROUP-ID",
  "NAME",
  "URI",
  "LANGUAGE",
  "DEFAULT",
  "AUTOSELECT",
  "CHANNELS",
] as const;

function renditionOf(value: string, line: string): Rendition {
  const attrs = parseAttributes(value, line);
  const type = attrs.get("TYPE")?.value;
  const groupId = attrs.get("GROUP-ID")?.value;
  const name = attrs.get("NAME")?.value;
  if (type !== "AUDIO" && type !== "VIDEO" && type !== "SUBTITLES" && type !== "CLOSED-CAPTIONS") {
    return invalid(`EXT-X-MEDIA with a bad TYPE: ${line}`);
  }
  if (groupId === undefined || name === undefined)
    return invalid(`EXT-X-MEDIA without GROUP-ID or NAME: ${line}`);
  const rendition: Rendition = { type, groupId, name };
  const uri = attrs.get("URI")?.value;
  if (uri !== undefined) rendition.uri = uri;
  const language = attrs.get("LANGUAGE")?.value;
  if (language !== undefined) rendition.language = language;
  if (attrs.get("DEFAULT")?.value === "YES") rendition.default = true;
  if (attrs.get("AUTOSELECT")?.value === "YES") rendition.autoselect = true;
  const channels = attrs.get("CHANNELS")?.value;
  if (channels !== undefined) rendition.channels = channels;
  const extra = extraOf(attrs, renditionKnown);
  if (extra) rendition.extra = extra;
  return rendition;
}

/**
 * Parses a master (multivariant) playlist. Rejects with `invalid_playlist` when the text
 * is not one.
 *
 * @example
 * ```ts
 * const master = parseMasterPlaylist(await readFile("/srv/hls/demo/index.m3u8", "utf8"));
 * for (const v of master.variants) console.log(v.uri, v.bandwidth, v.resolution);
 * ```
 */
export function parseMasterPlaylist(text: string): MasterPlaylist {
  const playlist: MasterPlaylist = {
    type: "master",
    independentSegments: false,
    renditions: [],
    variants: [],
    iFrameVariants: [],
  };
  let streamInf: { value: string; line: string } | undefined;
  for (const line of lines(text)) {
    if (!line.startsWith("#")) {
      if (!streamInf) invalid(`URI without #EXT-X-STREAM-INF: ${line}`);
      else playlist.variants.push(variantOf(streamInf.value, streamInf.line, line));
      streamInf = undefined;
      continue;
    }
    if (!line.startsWith("#EXT")) continue;
    const [tag, value] = split(line);
    switch (tag) {
      case "#EXT-X-VERSION":
        playlist.version = integer(value, line);
        break;
      case "#EXT-X-INDEPENDENT-SEGMENTS":
        playlist.independentSegments = true;
        break;
      case "#EXT-X-START":
        playlist.start = start(value, line);
        break;
      case "#EXT-X-STREAM-INF":
        streamInf = { value, line };
        break;
      case "#EXT-X-MEDIA":
        playlist.renditions.push(renditionOf(value, line));
        break;
      case "#EXT-X-I-FRAME-STREAM-INF": {
        const attrs = parseAttributes(value, line);
        const uri = attrs.get("URI")?.value;
        const bandwidth = attrs.get("BANDWIDTH")?.value;
        if (uri === undefined || bandwidth === undefined)
          invalid(`I-frame entry without URI or BANDWIDTH: ${line}`);
        const entry: IFrameVariant = { uri: uri as string, bandwidth: toNumber(bandwidth as string, line) };
        const codecs = attrs.get("CODECS")?.value;
        if (codecs !== undefined) entry.codecs = codecs;
        const resolution = attrs.get("RESOLUTION")?.value;
        if (resolution !== undefined) entry.resolution = toResolution(resolution, line);
        const extra = extraOf(attrs, ["URI", "BANDWIDTH", "CODECS", "RESOLUTION"]);
        if (extra) entry.extra = extra;
        playlist.iFrameVariants.push(entry);
        break;
      }
      default:
        if (tag === "#EXTINF" || tag === "#EXT-X-TARGETDURATION")
          invalid(`media playlist tag in a master playlist: ${line}`);
        playlist.tags = [...(playlist.tags ?? []), line];
    }
  }
  if (streamInf) invalid(`#EXT-X-STREAM-INF without a URI: ${streamInf.line}`);
  return playlist;
}

/**
 * Parses either kind of playlist, telling them apart by their tags.
 *
 * @example
 * ```ts
 * const playlist = parsePlaylist(text);
 * if (playlist.type === "master") console.log(playlist.variants.length);
 * else console.log(playlist.segments.length);
 * ```
 */
export function parsePlaylist(text: string): Playlist {
  return /^#EXT-X-(STREAM-INF|MEDIA|I-FRAME-STREAM-INF):/m.test(text)
    ? parseMasterPlaylist(text)
    : parseMediaPlaylist(text);
}

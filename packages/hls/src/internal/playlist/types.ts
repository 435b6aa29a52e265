/** A byte range of a resource: `length` bytes from `offset` (or after the previous range). */
export interface ByteRange {
  /** Number of bytes. */
  length: number;
  /** Start offset in bytes. */
  offset?: number;
}

/** An `EXT-X-KEY` tag (it applies from its segment on, until the next one). */
export interface SegmentKey {
  /** `NONE`, `AES-128`, `SAMPLE-AES`. */
  method: string;
  /** Where the key is. */
  uri?: string;
  /** Initialization vector, `0x...`. */
  iv?: string;
  /** Key format. */
  keyFormat?: string;
  /** Key format versions. */
  keyFormatVersions?: string;
}

/** An `EXT-X-MAP` tag (media initialization section). */
export interface SegmentMap {
  /** Where the initialization section is. */
  uri: string;
  /** Its byte range within that resource. */
  byteRange?: ByteRange;
}

/** One media segment and the tags that precede it. */
export interface MediaSegment {
  /** The segment's URI, as written in the playlist. */
  uri: string;
  /** `EXTINF` duration in seconds. */
  duration: number;
  /** `EXTINF` title (absent when empty). */
  title?: string;
  /** `EXT-X-DISCONTINUITY` precedes this segment. */
  discontinuity?: boolean;
  /** `EXT-X-PROGRAM-DATE-TIME`, as written (ffmpeg writes `2026-01-01T12:00:00.000+0000`). */
  programDateTime?: string;
  /** `EXT-X-BYTERANGE`. */
  byteRange?: ByteRange;
  /** `EXT-X-KEY` written before this segment. */
  key?: SegmentKey;
  /** `EXT-X-MAP` written before this segment. */
  map?: SegmentMap;
  /** `EXT-X-GAP`. */
  gap?: boolean;
  /** `EXT-X-BITRATE` in kbit/s. */
  bitrate?: number;
  /** Other tags before the URI, kept verbatim (without the line break). */
  tags?: string[];
}

/** A media playlist: a list of segments (a live window, an event or a VOD). */
export interface MediaPlaylist {
  /** Discriminant. */
  type: "media";
  /** `EXT-X-VERSION`. */
  version?: number;
  /** `EXT-X-TARGETDURATION` in whole seconds. */
  targetDuration: number;
  /** `EXT-X-MEDIA-SEQUENCE` (0 when absent). */
  mediaSequence: number;
  /** `EXT-X-DISCONTINUITY-SEQUENCE`. */
  discontinuitySequence?: number;
  /** `EXT-X-PLAYLIST-TYPE`. */
  playlistType?: "EVENT" | "VOD";
  /** `EXT-X-INDEPENDENT-SEGMENTS`. */
  independentSegments: boolean;
  /** `EXT-X-I-FRAMES-ONLY`. */
  iFramesOnly?: boolean;
  /** `EXT-X-START`. */
  start?: StartPoint;
  /** `EXT-X-ENDLIST`: no more segments will be added. */
  endList: boolean;
  /** The segments, oldest first. */
  segments: MediaSegment[];
  /** Other playlist-level tags, kept verbatim. */
  tags?: string[];
}

/** `EXT-X-START`: where players should start. */
export interface StartPoint {
  /** Seconds from the start (negative: from the end). */
  timeOffset: number;
  /** `PRECISE=YES`. */
  precise?: boolean;
}

/** Attributes this parser does not model, kept as written (quoted values keep their quotes). */
export type ExtraAttributes = Record<string, string>;

/** An `EXT-X-STREAM-INF` variant of a master playlist. */
export interface Variant {
  /** The variant's media playlist URI. */
  uri: string;
  /** Peak bits per second. */
  bandwidth: number;
  /** Average bits per second. */
  averageBandwidth?: number;
  /** RFC 6381 codecs, e.g. `avc1.64001f,mp4a.40.2`. */
  codecs?: string;
  /** Picture size. */
  resolution?: { width: number; height: number };
  /** Frames per second. */
  frameRate?: number;
  /** `HDCP-LEVEL`. */
  hdcpLevel?: string;
  /** Audio rendition group. */
  audio?: string;
  /** Video rendition group. */
  video?: string;
  /** Subtitles rendition group. */
  subtitles?: string;
  /** Closed-captions group, or `NONE`. */
  closedCaptions?: string;
  /** Other attributes, kept as written. */
  extra?: ExtraAttributes;
}

/** An `EXT-X-MEDIA` rendition of a master playlist. */
export interface Rendition {
  /** `AUDIO`, `VIDEO`, `SUBTITLES` or `CLOSED-CAPTIONS`. */
  type: "AUDIO" | "VIDEO" | "SUBTITLES" | "CLOSED-CAPTIONS";
  /** `GROUP-ID`. */
  groupId: string;
  /** `NAME`. */
  name: string;
  /** The rendition's media playlist. */
  uri?: string;
  /** `LANGUAGE`. */
  language?: string;
  /** `DEFAULT=YES`. */
  default?: boolean;
  /** `AUTOSELECT=YES`. */
  autoselect?: boolean;
  /** `CHANNELS`. */
  channels?: string;
  /** Other attributes, kept as written. */
  extra?: ExtraAttributes;
}

/** An `EXT-X-I-FRAME-STREAM-INF` entry. */
export interface IFrameVariant {
  /** The I-frame playlist URI. */
  uri: string;
  /** Peak bits per second. */
  bandwidth: number;
  /** RFC 6381 codecs. */
  codecs?: string;
  /** Picture size. */
  resolution?: { width: number; height: number };
  /** Other attributes, kept as written. */
  extra?: ExtraAttributes;
}

/** A master (multivariant) playlist: variants and renditions. */
export interface MasterPlaylist {
  /** Discriminant. */
  type: "master";
  /** `EXT-X-VERSION`. */
  version?: number;
  /** `EXT-X-INDEPENDENT-SEGMENTS`. */
  independentSegments: boolean;
  /** `EXT-X-START`. */
  start?: StartPoint;
  /** `EXT-X-MEDIA` renditions. */
  renditions: Rendition[];
  /** `EXT-X-STREAM-INF` variants. */
  variants: Variant[];
  /** `EXT-X-I-FRAME-STREAM-INF` entries. */
  iFrameVariants: IFrameVariant[];
  /** Other tags (session data, content steering, ...), kept verbatim. */
  tags?: string[];
}

/** A media or a master playlist. */
export type Playlist = MediaPlaylist | MasterPlaylist;

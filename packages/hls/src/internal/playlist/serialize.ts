import { attributeText, byteRangeText } from "./attributes.js";
import type { MasterPlaylist, MediaPlaylist, Playlist, StartPoint } from "./types.js";

function startLine(start: StartPoint): string {
  return `#EXT-X-START:${attributeText([
    ["TIME-OFFSET", start.timeOffset, false],
    ["PRECISE", start.precise ? "YES" : undefined, false],
  ])}`;
}

function media(playlist: MediaPlaylist): string[] {
  const out = ["#EXTM3U"];
  if (playlist.version !== undefined) out.push(`#EXT-X-VERSION:${playlist.version}`);
  out.push(`#EXT-X-TARGETDURATION:${playlist.targetDuration}`);
  out.push(`#EXT-X-MEDIA-SEQUENCE:${playlist.mediaSequence}`);
  if (playlist.discontinuitySequence !== undefined) {
    out.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${playlist.discontinuitySequence}`);
  }
  if (playlist.playlistType) out.push(`#EXT-X-PLAYLIST-TYPE:${playlist.playlistType}`);
  if (playlist.independentSegments) out.push("#EXT-X-INDEPENDENT-SEGMENTS");
  if (playlist.iFramesOnly) out.push("#EXT-X-I-FRAMES-ONLY");
  if (playlist.start) out.push(startLine(playlist.start));
  out.push(...(playlist.tags ?? []));
  for (const segment of playlist.segments) {
    if (segment.key) {
      const { method, uri, iv, keyFormat, keyFormatVersions } = segment.key;
      out.push(
        `#EXT-X-KEY:${attributeText([
          ["METHOD", method, false],
          ["URI", uri, true],
          ["IV", iv, false],
          ["KEYFORMAT", keyFormat, true],
          ["KEYFORMATVERSIONS", keyFormatVersions, true],
        ])}`,
      );
    }
    if (segment.map) {
      const range = segment.map.byteRange ? byteRangeText(segment.map.byteRange) : undefined;
      out.push(
        `#EXT-X-MAP:${attributeText([
          ["URI", segment.map.uri, true],
          ["BYTERANGE", range, true],
        ])}`,
      );
    }
    if (segment.discontinuity) out.push("#EXT-X-DISCONTINUITY");
    if (segment.programDateTime !== undefined)
      out.push(`#EXT-X-PROGRAM-DATE-TIME:${segment.programDateTime}`);
    if (segment.gap) out.push("#EXT-X-GAP");
    if (segment.bitrate !== undefined) out.push(`#EXT-X-BITRATE:${segment.bitrate}`);
    if (segment.byteRange) out.push(`#EXT-X-BYTERANGE:${byteRangeText(segment.byteRange)}`);
    out.push(`#EXTINF:${segment.duration},${segment.title ?? ""}`);
    // Unknown tags go after EXTINF so that they attach to this segment when read back.
    out.push(...(segment.tags ?? []));
    out.push(segment.uri);
  }
  if (playlist.endList) out.push("#EXT-X-ENDLIST");
  return out;
}

function resolutionText(resolution: { width: number; height: number } | undefined): string | undefined {
  return resolution ? `${resolution.width}x${resolution.height}` : undefined;
}

function master(playlist: MasterPlaylist): string[] {
  const out = ["#EXTM3U"];
  if (playlist.version !== undefined) out.push(`#EXT-X-VERSION:${playlist.version}`);
  if (playlist.independentSegments) out.push("#EXT-X-INDEPENDENT-SEGMENTS");
  if (playlist.start) out.push(startLine(playlist.start));
  out.push(...(playlist.tags ?? []));
  for (const r of playlist.renditions) {
    out.push(
      `#EXT-X-MEDIA:${attributeText(
        [
          ["TYPE", r.type, false],
          ["GROUP-ID", r.groupId, true],
          ["NAME", r.name, true],
          ["LANGUAGE", r.language, true],
          ["DEFAULT", r.default ? "YES" : undefined, false],
          ["AUTOSELECT", r.autoselect ? "YES" : undefined, false],
          ["CHANNELS", r.channels, true],
          ["URI", r.uri, true],
        ],
        r.extra,
      )}`,
    );
  }
  for (const v of playlist.variants) {
    out.push(
      `#EXT-X-STREAM-INF:${attributeText(
        [
          ["BANDWIDTH", v.bandwidth, false],
          ["AVERAGE-BANDWIDTH", v.averageBandwidth, false],
          ["CODECS", v.codecs, true],
          ["RESOLUTION", resolutionText(v.resolution), false],
          ["FRAME-RATE", v.frameRate, false],
          ["HDCP-LEVEL", v.hdcpLevel, false],
          ["AUDIO", v.audio, true],
          ["VIDEO", v.video, true],
          ["SUBTITLES", v.subtitles, true],
          ["CLOSED-CAPTIONS", v.closedCaptions, v.closedCaptions !== "NONE"],
        ],
        v.extra,
      )}`,
      v.uri,
    );
  }
  for (const i of playlist.iFrameVariants) {
    out.push(
      `#EXT-X-I-FRAME-STREAM-INF:${attributeText(
        [
          ["BANDWIDTH", i.bandwidth, false],
          ["CODECS", i.codecs, true],
          ["RESOLUTION", resolutionText(i.resolution), false],
          ["URI", i.uri, true],
        ],
        i.extra,
      )}`,
    );
  }
  return out;
}

/**
 * Writes a playlist back to M3U8 text (LF line ends, a final newline).
 *
 * @example
 * ```ts
 * const text = serializePlaylist(rewriteUris(parsePlaylist(original), (uri) => `${uri}?sig=abc`));
 * ```
 */
export function serializePlaylist(playlist: Playlist): string {
  const out = playlist.type === "media" ? media(playlist) : master(playlist);
  return `${out.join("\n")}\n`;
}

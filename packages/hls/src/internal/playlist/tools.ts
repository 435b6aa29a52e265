import type { MasterPlaylist, MediaPlaylist, MediaSegment, Playlist } from "./types.js";

/** What a URI passed to a {@link rewriteUris} callback points at. */
export type UriKind = "segment" | "key" | "map" | "variant" | "rendition" | "iframe";

/**
 * Returns a copy of a playlist with every URI (segments, keys, init sections, variants,
 * renditions, I-frame playlists) replaced by `fn(uri, kind)`: for signing or re-rooting.
 *
 * @example
 * ```ts
 * const signed = rewriteUris(playlist, (uri) => `${uri}?exp=${exp}&sig=${sign(uri, exp)}`);
 * res.type("application/vnd.apple.mpegurl").send(serializePlaylist(signed));
 * ```
 */
export function rewriteUris<P extends Playlist>(playlist: P, fn: (uri: string, kind: UriKind) => string): P {
  if (playlist.type === "media") {
    const segments = playlist.segments.map((segment): MediaSegment => {
      const next: MediaSegment = { ...segment, uri: fn(segment.uri, "segment") };
      if (segment.key?.uri !== undefined) next.key = { ...segment.key, uri: fn(segment.key.uri, "key") };
      if (segment.map) next.map = { ...segment.map, uri: fn(segment.map.uri, "map") };
      return next;
    });
    return { ...playlist, segments } satisfies MediaPlaylist as P;
  }
  const master: MasterPlaylist = {
    ...playlist,
    variants: playlist.variants.map((v) => ({ ...v, uri: fn(v.uri, "variant") })),
    renditions: playlist.renditions.map((r) =>
      r.uri === undefined ? r : { ...r, uri: fn(r.uri, "rendition") },
    ),
    iFrameVariants: playlist.iFrameVariants.map((i) => ({ ...i, uri: fn(i.uri, "iframe") })),
  };
  return master as P;
}

/** The newest segment of a media playlist with its media sequence number. */
export interface NewestSegment {
  /** The segment as parsed. */
  segment: MediaSegment;
  /** Its media sequence number (`EXT-X-MEDIA-SEQUENCE` + its index). */
  sequence: number;
}

/**
 * Finds the newest (last) segment of a media playlist, or undefined when it has none.
 *
 * @example
 * ```ts
 * const newest = newestSegment(parseMediaPlaylist(text));
 * if (newest) console.log(newest.sequence, newest.segment.uri, newest.segment.programDateTime);
 * ```
 */
export function newestSegment(playlist: MediaPlaylist): NewestSegment | undefined {
  const index = playlist.segments.length - 1;
  const segment = playlist.segments[index];
  return segment ? { segment, sequence: playlist.mediaSequence + index } : undefined;
}

/**
 * Reads an `EXT-X-PROGRAM-DATE-TIME` value as epoch milliseconds; accepts ffmpeg's `+0000`
 * offsets as well as ISO 8601's `+00:00` and `Z`. NaN when it is not a date.
 *
 * @example
 * ```ts
 * const newest = newestSegment(playlist);
 * const ageMs = Date.now() - programDateTimeMs(newest?.segment.programDateTime ?? "");
 * ```
 */
export function programDateTimeMs(value: string): number {
  const normalized = value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  return Date.parse(normalized);
}

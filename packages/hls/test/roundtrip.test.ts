import type { MasterPlaylist, MediaPlaylist, MediaSegment } from "@mpvstream/hls";
import { parseMasterPlaylist, parseMediaPlaylist, parsePlaylist, serializePlaylist } from "@mpvstream/hls";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// Text that survives a playlist line: no line breaks, no quotes, no surrounding spaces.
const text = fc
  .string({ minLength: 1, maxLength: 20 })
  .map((s) => s.replace(/[\r\n"]/g, "x").trim())
  .filter((s) => s.length > 0);
const uri = text.filter((s) => !s.startsWith("#"));
const seconds = fc.integer({ min: 0, max: 100_000 }).map((ms) => ms / 1000);
const nat = fc.integer({ min: 0, max: 1_000_000 });
const byteRange = fc.record({ length: nat, offset: nat }, { requiredKeys: ["length"] });
const unknownTag = fc.constantFrom(
  "#EXT-X-CUE-OUT:30",
  "#EXT-X-CUE-IN",
  '#EXT-X-DATERANGE:ID="a",START-DATE="x"',
);

const segment: fc.Arbitrary<MediaSegment> = fc.record(
  {
    uri,
    duration: seconds,
    title: text,
    discontinuity: fc.constant(true),
    programDateTime: fc
      .date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) })
      .map((d) => d.toISOString()),
    byteRange,
    key: fc.record(
      {
        method: fc.constantFrom("NONE", "AES-128", "SAMPLE-AES"),
        uri,
        iv: fc.constant("0x00ff"),
        keyFormat: text,
        keyFormatVersions: text,
      },
      { requiredKeys: ["method"] },
    ),
    map: fc.record({ uri, byteRange }, { requiredKeys: ["uri"] }),
    gap: fc.constant(true),
    bitrate: nat,
    tags: fc.array(unknownTag, { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: ["uri", "duration"] },
);

const media: fc.Arbitrary<MediaPlaylist> = fc.record(
  {
    type: fc.constant("media" as const),
    version: fc.integer({ min: 1, max: 10 }),
    targetDuration: fc.integer({ min: 1, max: 60 }),
    mediaSequence: nat,
    discontinuitySequence: nat,
    playlistType: fc.constantFrom("EVENT" as const, "VOD" as const),
    independentSegments: fc.boolean(),
    iFramesOnly: fc.constant(true),
    start: fc.record(
      { timeOffset: fc.integer({ min: -1000, max: 1000 }).map((n) => n / 4), precise: fc.constant(true) },
      { requiredKeys: ["timeOffset"] },
    ),
    endList: fc.boolean(),
    segments: fc.array(segment, { maxLength: 6 }),
    tags: fc.array(fc.constant("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES"), { minLength: 1, maxLength: 1 }),
  },
  { requiredKeys: ["type", "targetDuration", "mediaSequence", "independentSegments", "endList", "segments"] },
);

const resolution = fc.record({
  width: fc.integer({ min: 1, max: 8000 }),
  height: fc.integer({ min: 1, max: 8000 }),
});
const master: fc.Arbitrary<MasterPlaylist> = fc.record(
  {
    type: fc.constant("master" as const),
    version: fc.integer({ min: 1, max: 10 }),
    independentSegments: fc.boolean(),
    renditions: fc.array(
      fc.record(
        {
          type: fc.constantFrom(
            "AUDIO" as const,
            "VIDEO" as const,
            "SUBTITLES" as const,
            "CLOSED-CAPTIONS" as const,
          ),
          groupId: text,
          name: text,
          uri,
          language: text,
          default: fc.constant(true),
          autoselect: fc.constant(true),
          channels: fc.constantFrom("2", "6"),
          extra: fc.constant({ FORCED: "NO" }),
        },
        { requiredKeys: ["type", "groupId", "name"] },
      ),
      { maxLength: 3 },
    ),
    variants: fc.array(
      fc.record(
        {
          uri,
          bandwidth: nat,
          averageBandwidth: nat,
          codecs: text,
          resolution,
          frameRate: fc.integer({ min: 1, max: 120_000 }).map((n) => n / 1000),
          hdcpLevel: fc.constantFrom("NONE", "TYPE-0"),
          audio: text,
          video: text,
          subtitles: text,
          closedCaptions: text,
          extra: fc.constant({ "VIDEO-RANGE": "SDR" }),
        },
        { requiredKeys: ["uri", "bandwidth"] },
      ),
      { maxLength: 4 },
    ),
    iFrameVariants: fc.array(
      fc.record({ uri, bandwidth: nat, codecs: text, resolution }, { requiredKeys: ["uri", "bandwidth"] }),
      {
        maxLength: 2,
      },
    ),
  },
  { requiredKeys: ["type", "independentSegments", "renditions", "variants", "iFrameVariants"] },
);

describe("parse(serialize(x)) = x", () => {
  it("for media playlists", () => {
    fc.assert(
      fc.property(media, (playlist) => {
        expect(parseMediaPlaylist(serializePlaylist(playlist))).toEqual(playlist);
      }),
      { numRuns: 300 },
    );
  });

  it("for master playlists (variants need at least one entry to be told apart from media)", () => {
    fc.assert(
      fc.property(master, (playlist) => {
        const text = serializePlaylist(playlist);
        expect(parseMasterPlaylist(text)).toEqual(playlist);
        if (playlist.variants.length > 0) expect(parsePlaylist(text)).toEqual(playlist);
      }),
      { numRuns: 300 },
    );
  });

  it("parsing arbitrary text either succeeds or throws invalid_playlist, never anything else", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.boolean(), (body, header) => {
        const input = header ? `#EXTM3U\n${body}` : body;
        try {
          parsePlaylist(input);
        } catch (error) {
          expect(error).toMatchObject({ name: "HlsError", code: "invalid_playlist" });
        }
      }),
      { numRuns: 500 },
    );
  });
});

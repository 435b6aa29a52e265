import { readFileSync } from "node:fs";
import {
  isHlsError,
  newestSegment,
  parseMasterPlaylist,
  parseMediaPlaylist,
  parsePlaylist,
  programDateTimeMs,
  rewriteUris,
  serializePlaylist,
} from "@mpvstream/hls";
import { describe, expect, it } from "vitest";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

describe("parseMediaPlaylist on real ffmpeg output", () => {
  it.each([
    // file, segments, media sequence, discontinuity at index, endList
    ["ffmpeg-live-restarted.m3u8", 6, 1, 2, true],
    ["ffmpeg-append.m3u8", 5, 0, 3, true],
  ])(
    "%s: %i segments from sequence %i, discontinuity at %i",
    (file, count, sequence, discontinuityAt, endList) => {
      const playlist = parseMediaPlaylist(fixture(file));
      expect(playlist.version).toBe(6);
      expect(playlist.targetDuration).toBe(1);
      expect(playlist.independentSegments).toBe(true);
      expect(playlist.segments).toHaveLength(count);
      expect(playlist.mediaSequence).toBe(sequence);
      expect(playlist.endList).toBe(endList);
      expect(playlist.segments.findIndex((s) => s.discontinuity)).toBe(discontinuityAt);
      for (const segment of playlist.segments) {
        expect(segment.uri).toMatch(/\.ts$/);
        expect(Number.isFinite(programDateTimeMs(segment.programDateTime ?? ""))).toBe(true);
      }
    },
  );

  it("reads ffmpeg's master playlist (blank lines between variants)", () => {
    const master = parseMasterPlaylist(fixture("ffmpeg-master.m3u8"));
    expect(master.variants.map((v) => [v.uri, v.bandwidth, v.resolution?.height])).toEqual([
      ["hi.m3u8", 400400, 180],
      ["mid.m3u8", 290400, 144],
      ["lo.m3u8", 180400, 108],
    ]);
    expect(master.variants[0]?.codecs).toBe("avc1.42c00d,mp4a.40.2");
  });
});

describe("parseMediaPlaylist edge cases", () => {
  it.each<[string, string, Record<string, unknown>]>([
    [
      "CRLF line ends, BOM and comments",
      "\uFEFF#EXTM3U\r\n# a comment\r\n#EXT-X-TARGETDURATION:4\r\n#EXTINF:4.0,\r\na.ts\r\n",
      { targetDuration: 4, segments: [{ uri: "a.ts", duration: 4 }] },
    ],
    [
      "no media sequence means 0",
      "#EXTM3U\n#EXT-X-TARGETDURATION:2\n",
      { mediaSequence: 0, segments: [], endList: false },
    ],
    [
      "title with commas",
      "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,hello, world\nx.ts\n",
      { segments: [{ uri: "x.ts", duration: 2, title: "hello, world" }] },
    ],
    [
      "key, map, byterange, gap, bitrate",
      '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-KEY:METHOD=AES-128,URI="k?a=1,b=2",IV=0x0102\n#EXT-X-MAP:URI="init.mp4",BYTERANGE="720@0"\n#EXT-X-BYTERANGE:1000@720\n#EXT-X-GAP\n#EXT-X-BITRATE:800\n#EXTINF:6,\nmedia.mp4\n',
      {
        segments: [
          {
            uri: "media.mp4",
            duration: 6,
            key: { method: "AES-128", uri: "k?a=1,b=2", iv: "0x0102" },
            map: { uri: "init.mp4", byteRange: { length: 720, offset: 0 } },
            byteRange: { length: 1000, offset: 720 },
            gap: true,
            bitrate: 800,
          },
        ],
      },
    ],
    [
      "VOD with start point and discontinuity sequence",
      "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-DISCONTINUITY-SEQUENCE:2\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-START:TIME-OFFSET=-3.5,PRECISE=YES\n#EXTINF:9.5,\nz.ts\n#EXT-X-ENDLIST\n",
      {
        version: 3,
        mediaSequence: 7,
        discontinuitySequence: 2,
        playlistType: "VOD",
        start: { timeOffset: -3.5, precise: true },
        endList: true,
      },
    ],
    [
      "unknown tags kept: playlist level and segment level",
      "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES\n#EXTINF:2,\n#EXT-X-CUE-OUT:30\na.ts\n",
      {
        tags: ["#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES"],
        segments: [{ uri: "a.ts", duration: 2, tags: ["#EXT-X-CUE-OUT:30"] }],
      },
    ],
  ])("%s", (_name, text, expected) => {
    expect(parseMediaPlaylist(text)).toMatchObject(expected);
  });

  it.each([
    ["empty text", ""],
    ["no #EXTM3U header", "#EXT-X-TARGETDURATION:2\n"],
    ["no target duration", "#EXTM3U\n#EXTINF:2,\na.ts\n"],
    ["URI without EXTINF", "#EXTM3U\n#EXT-X-TARGETDURATION:2\na.ts\n"],
    ["bad duration", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:abc,\na.ts\n"],
    ["negative duration", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:-1,\na.ts\n"],
    ["bad byte range", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-BYTERANGE:x@1\n#EXTINF:1,\na.ts\n"],
    [
      "unterminated quote",
      '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI="k\n#EXTINF:1,\na.ts\n',
    ],
    [
      "master tag in a media playlist",
      "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-STREAM-INF:BANDWIDTH=1\nb.m3u8\n",
    ],
  ])("rejects %s with invalid_playlist", (_name, text) => {
    expect(() => parseMediaPlaylist(text)).toThrow(expect.objectContaining({ code: "invalid_playlist" }));
    try {
      parseMediaPlaylist(text);
    } catch (error) {
      expect(isHlsError(error)).toBe(true);
    }
  });
});

describe("parseMasterPlaylist edge cases", () => {
  it("reads renditions, I-frame streams, unknown attributes and tags", () => {
    const master = parseMasterPlaylist(
      [
        "#EXTM3U",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        '#EXT-X-SESSION-DATA:DATA-ID="com.example",VALUE="x"',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="a/en.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=2000000,AVERAGE-BANDWIDTH=1500000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970,AUDIO="aud",CLOSED-CAPTIONS=NONE,VIDEO-RANGE=SDR',
        "v/720.m3u8",
        '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,RESOLUTION=1280x720,URI="v/720-if.m3u8"',
      ].join("\n"),
    );
    expect(master.independentSegments).toBe(true);
    expect(master.tags).toEqual(['#EXT-X-SESSION-DATA:DATA-ID="com.example",VALUE="x"']);
    expect(master.renditions[0]).toEqual({
      type: "AUDIO",
      groupId: "aud",
      name: "English",
      language: "en",
      default: true,
      autoselect: true,
      channels: "2",
      uri: "a/en.m3u8",
    });
    expect(master.variants[0]).toEqual({
      uri: "v/720.m3u8",
      bandwidth: 2_000_000,
      averageBandwidth: 1_500_000,
      codecs: "avc1.64001f,mp4a.40.2",
      resolution: { width: 1280, height: 720 },
      frameRate: 29.97,
      audio: "aud",
      closedCaptions: "NONE",
      extra: { "VIDEO-RANGE": "SDR" },
    });
    expect(master.iFrameVariants[0]?.uri).toBe("v/720-if.m3u8");
    expect(serializePlaylist(master)).toContain("CLOSED-CAPTIONS=NONE,VIDEO-RANGE=SDR");
  });

  it.each([
    ["variant without BANDWIDTH", "#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1x1\na.m3u8\n"],
    ["STREAM-INF with no URI", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n"],
    ["bad resolution", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=big\na.m3u8\n"],
    ["media without GROUP-ID", '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,NAME="x"\n'],
  ])("rejects %s with invalid_playlist", (_name, text) => {
    expect(() => parseMasterPlaylist(text)).toThrow(expect.objectContaining({ code: "invalid_playlist" }));
  });
});

describe("playlist tools", () => {
  it("parsePlaylist tells master from media", () => {
    expect(parsePlaylist(fixture("ffmpeg-master.m3u8")).type).toBe("master");
    expect(parsePlaylist(fixture("ffmpeg-append.m3u8")).type).toBe("media");
  });

  it("rewriteUris signs every segment, key and map URI without touching the original", () => {
    const original = parseMediaPlaylist(
      '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI="key"\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2,\na.ts\n#EXTINF:2,\nb.ts\n',
    );
    const seen: string[] = [];
    const signed = rewriteUris(original, (uri, kind) => {
      seen.push(`${kind}:${uri}`);
      return `${uri}?sig=1`;
    });
    expect(seen).toEqual(["segment:a.ts", "key:key", "map:init.mp4", "segment:b.ts"]);
    expect(signed.segments.map((s) => s.uri)).toEqual(["a.ts?sig=1", "b.ts?sig=1"]);
    expect(signed.segments[0]?.key?.uri).toBe("key?sig=1");
    expect(original.segments[0]?.uri).toBe("a.ts");
    expect(serializePlaylist(signed)).toContain("a.ts?sig=1\n");
  });

  it("rewriteUris rewrites variant URIs of a master playlist", () => {
    const master = rewriteUris(
      parseMasterPlaylist(fixture("ffmpeg-master.m3u8")),
      (uri) => `/play/s1/${uri}`,
    );
    expect(master.variants.map((v) => v.uri)).toEqual([
      "/play/s1/hi.m3u8",
      "/play/s1/mid.m3u8",
      "/play/s1/lo.m3u8",
    ]);
  });

  it("newestSegment gives the last segment and its sequence number", () => {
    const playlist = parseMediaPlaylist(fixture("ffmpeg-live-restarted.m3u8"));
    expect(newestSegment(playlist)).toMatchObject({ sequence: 6, segment: { uri: "seg_00006.ts" } });
    expect(newestSegment({ ...playlist, segments: [] })).toBeUndefined();
  });

  it.each([
    ["2026-11-25T16:41:59.302+0000", Date.UTC(2026, 10, 25, 16, 41, 59, 302)],
    ["2026-11-25T18:41:59.302+02:00", Date.UTC(2026, 10, 25, 16, 41, 59, 302)],
    ["2026-11-25T16:41:59.302Z", Date.UTC(2026, 10, 25, 16, 41, 59, 302)],
  ])("programDateTimeMs(%s)", (text, expected) => {
    expect(programDateTimeMs(text)).toBe(expected);
  });
});

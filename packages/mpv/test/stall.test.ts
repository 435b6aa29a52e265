import { launchMpv, type StallInfo } from "@mpvstream/mpv";
import { afterAll, beforeAll, expect, it } from "vitest";
import { encodeHls, HEADLESS, removeDir, serveHls, type TestServer } from "./helpers.js";

const SEGMENTS = 20;
let dir: string;
let server: TestServer;
let refusing = false;

/** A live playlist over pre-made segments: a 3-segment window that moves on every second. */
function livePlaylist(startedAt: number): string {
  const sequence = Math.min(Math.floor((Date.now() - startedAt) / 1000), SEGMENTS - 3);
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:3",
    "#EXT-X-TARGETDURATION:1",
    `#EXT-X-MEDIA-SEQUENCE:${sequence}`,
  ];
  for (let i = sequence; i < sequence + 3; i++)
    lines.push("#EXTINF:1.000000,", `seg${String(i).padStart(3, "0")}.ts`);
  return `${lines.join("\n")}\n`;
}

beforeAll(async () => {
  dir = await encodeHls(SEGMENTS);
  server = await serveHls(dir);
  const startedAt = Date.now();
  server.intercept = (url) => {
    if (url.startsWith("/live.m3u8")) return livePlaylist(startedAt);
    if (url.endsWith(".ts") && refusing) return 403;
    return undefined;
  };
});

afterAll(async () => {
  await server.close();
  await removeDir(dir);
});

it("raises stalled (with the 403 behind it) when a live stream's segments start answering 403", async () => {
  const stallTimeoutMs = 2000;
  const player = await launchMpv({ args: [...HEADLESS], noConfig: true, stallTimeoutMs });
  try {
    const order: string[] = [];
    player.on("end-file", () => order.push("end-file"));
    await player.observe("paused-for-cache", (value) => {
      if (value === true) order.push("paused-for-cache");
    });
    const stalled = new Promise<StallInfo>((resolve) =>
      player.on("stalled", (info) => {
        order.push("stalled");
        resolve(info);
      }),
    );
    await player.loadfile(`${server.origin}/live.m3u8`);
    await player.firstFrame();
    refusing = true;
    const info = await stalled;
    expect(info.stalledForMs).toBeGreaterThanOrEqual(stallTimeoutMs - 10);
    expect(info.httpStatus).toBe(403);
    expect(order.slice(0, 2)).toEqual(["paused-for-cache", "stalled"]);
    expect(await player.ended()).toMatchObject({ reason: "stalled", httpStatus: 403 });
    expect(await player.get("paused-for-cache")).toBe(true); // mpv itself is still waiting
  } finally {
    await player.close();
  }
}, 90_000);

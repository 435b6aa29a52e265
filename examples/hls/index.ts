// Packages a few seconds of the generated test pattern as live HLS, prints what happens, and
// cleans up. Run with: npx tsx examples/hls/index.ts (needs ffmpeg and ffprobe on PATH).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  findFfmpeg,
  HlsPipeline,
  isHlsError,
  newestSegment,
  parseMediaPlaylist,
  rewriteUris,
  serializePlaylist,
} from "@mpvstream/hls";

const { ffmpeg } = await findFfmpeg();
console.log(`ffmpeg ${ffmpeg.version}`);

const outputDir = await mkdtemp(join(tmpdir(), "hls-example-"));
const pipeline = new HlsPipeline({
  source: { kind: "test", width: 320, height: 180 },
  outputDir,
  segmentSeconds: 1,
  encode: { preset: "ultrafast" },
});
pipeline.on("segment", ({ uri, sequence }) => console.log(`segment ${sequence}: ${uri}`));
pipeline.on("crash", ({ error }) => console.warn(`crash: ${error.code}`));
try {
  await pipeline.start();
  await pipeline.whenReady(30_000);
  const playlist = parseMediaPlaylist(await readFile(pipeline.playlistPath, "utf8"));
  console.log("newest:", newestSegment(playlist)?.segment.uri);
  const signed = rewriteUris(playlist, (uri) => `${uri}?sig=demo`);
  console.log(serializePlaylist(signed).split("\n").slice(0, 8).join("\n"));
} catch (error) {
  console.error(isHlsError(error) ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
} finally {
  await pipeline.stop();
  await rm(outputDir, { recursive: true, force: true });
}

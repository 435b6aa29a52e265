// Launches a headless mpv, plays a tiny HLS stream made by ffmpeg and served on loopback, then shuts down.
// Needs mpv and ffmpeg on PATH; exits 0 after printing what happened.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { findMpv, isMpvError, launchMpv } from "@mpvstream/mpv";

const dir = mkdtempSync(path.join(tmpdir(), "mpv-example-"));
const server = createServer((req, res) => {
  if (req.headers["x-session"] !== "demo-token") return void res.writeHead(403).end();
  try {
    res.end(readFileSync(path.join(dir, path.basename(req.url ?? ""))));
  } catch {
    res.writeHead(404).end();
  }
});
try {
  execFileSync("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=10"],
    ...["-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-f", "hls", "-hls_time", "1"],
    ...["-hls_playlist_type", "vod", path.join(dir, "index.m3u8")],
  ]);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.m3u8`;

  const mpv = await findMpv();
  console.log(`using ${mpv.path} (mpv ${mpv.version})`);
  const player = await launchMpv({ installation: mpv, noConfig: true, args: ["--vo=null", "--ao=null"] });
  try {
    player.on("end-file", (end) => console.log(`end-file: ${end.reason}`));
    await player.loadfile(url, { headers: { "X-Session": "demo-token" } });
    console.log(`first frame ${Math.round((await player.firstFrame()).msSinceLoad)} ms after loadfile`);
    console.log("ended:", await player.ended());

    await player.loadfile(url); // no header this time: the server answers 403
    const end = await player.ended();
    console.log(`without the header: ${end.reason}, HTTP ${end.httpStatus}`);
  } finally {
    console.log("exit:", await player.close());
  }
} catch (error) {
  if (isMpvError(error)) console.error(`mpv error ${error.code}: ${error.message}`);
  throw error;
} finally {
  server.close();
  rmSync(dir, { recursive: true, force: true });
}

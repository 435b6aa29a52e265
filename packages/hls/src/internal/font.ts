import { access } from "node:fs/promises";
import { runProgram } from "./run.js";

const candidates = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
  "/usr/share/fonts/TTF/DejaVuSansMono.ttf",
  "/usr/share/fonts/dejavu/DejaVuSansMono.ttf",
  "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
  "/System/Library/Fonts/Menlo.ttc",
];

const drawtextCache = new Map<string, Promise<boolean>>();

/** Whether this ffmpeg build has the drawtext filter (it needs libfreetype). */
export function hasDrawtext(ffmpegPath: string): Promise<boolean> {
  let cached = drawtextCache.get(ffmpegPath);
  if (!cached) {
    cached = runProgram(ffmpegPath, ["-hide_banner", "-filters"], 10_000).then((result) =>
      /^\s*\S+\s+drawtext\s/m.test(result.stdout),
    );
    drawtextCache.set(ffmpegPath, cached);
  }
  return cached;
}

/**
 * A font file for the test pattern's clock: the explicit one, a known monospace font, or
 * whatever fontconfig matches; null when there is none (the pattern then has no clock).
 */
export async function findFont(explicit: string | undefined): Promise<string | null> {
  if (explicit) return explicit;
  for (const path of candidates) {
    try {
      await access(path);
      return path;
    } catch {}
  }
  const result = await runProgram("fc-match", ["-f", "%{file}", "monospace"], 5_000);
  const file = result.code === 0 ? result.stdout.trim() : "";
  return file.length > 0 ? file : null;
}

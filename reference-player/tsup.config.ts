import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/cli.ts"],
  format: ["esm"],
  dts: false,
  clean: true,
  target: "node20",
  sourcemap: true,
  // One bundle (split only at the lazy imports) with the workspace packages and their ky and zod:
  // Node then reads and links a few files instead of hundreds, which is most of its start-up here.
  // They come from the packages' built dist, so build them first (`npm run build`).
  noExternal: [/^@mpvstream\//, "ky", "zod"],
  splitting: true,
});

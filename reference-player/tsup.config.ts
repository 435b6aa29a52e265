import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/cli.ts"],
  format: ["esm"],
  dts: false,
  clean: true,
  target: "node20",
  sourcemap: true,
  // The workspace packages come from their built dist through node_modules, like any dependency.
  external: [/^@mpvstream\//],
});

import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/cli.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  clean: true,
  target: "node20",
  sourcemap: true,
  // The workspace packages are bundled from their built dist through node_modules like any dependency.
  external: [
    /^@mpvstream\//,
    "@electric-sql/pglite",
    "pg",
    "ioredis",
    "express",
    "pino",
    "prom-client",
    "zod",
  ],
});

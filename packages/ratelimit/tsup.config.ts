import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/redis.ts", "src/express.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  target: "node20",
  sourcemap: true,
});

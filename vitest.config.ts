import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** Tests run against the packages' sources, so no build is needed between an edit and a test run. */
const alias = {
  "@mpvstream/core": here("./packages/core/src/index.ts"),
  "@mpvstream/token/node": here("./packages/token/src/node.ts"),
  "@mpvstream/token": here("./packages/token/src/index.ts"),
  "@mpvstream/ratelimit/redis": here("./packages/ratelimit/src/redis.ts"),
  "@mpvstream/ratelimit/express": here("./packages/ratelimit/src/express.ts"),
  "@mpvstream/ratelimit": here("./packages/ratelimit/src/index.ts"),
  "@mpvstream/hls": here("./packages/hls/src/index.ts"),
  "@mpvstream/mpv": here("./packages/mpv/src/index.ts"),
  "@mpvstream/client": here("./packages/client/src/index.ts"),
};

const project = (name: string, root: string, timeout = 10_000) => ({
  extends: true as const,
  test: {
    name,
    root,
    include: ["test/**/*.test.ts"],
    testTimeout: timeout,
    hookTimeout: timeout * 3,
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"] },
  },
});

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      project("core", "./packages/core"),
      project("token", "./packages/token"),
      project("ratelimit", "./packages/ratelimit", 30_000),
      project("hls", "./packages/hls", 60_000),
      project("mpv", "./packages/mpv", 60_000),
      project("client", "./packages/client"),
      project("reference-server", "./reference-server", 60_000),
      project("reference-player", "./reference-player", 90_000),
    ],
  },
});

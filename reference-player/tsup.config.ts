import { defineConfig, type Options } from "tsup";

/**
 * The modules that need `@mpvstream/client` (its zod schemas and ky): loaded only when a command
 * needs them, and for `play` only once mpv shows the first frame.
 */
const LAZY = ["commands/play", "commands/account", "internal/context", "internal/explain"];

const shared: Options = {
  target: "node20",
  sourcemap: true,
  dts: false,
  // The workspace packages and their ky and zod are bundled: Node then reads and links a few files
  // instead of hundreds, which is most of its start-up here. They come from the packages' built
  // dist, so build them first (`npm run build`).
  noExternal: [/^@mpvstream\//, "ky", "zod"],
};

export default defineConfig([
  {
    ...shared,
    // The lazy modules: ESM, split so that what they share is loaded once.
    entry: Object.fromEntries(LAZY.map((name) => [`lazy/${name.split("/")[1]}`, `src/${name}.ts`])),
    format: ["esm"],
    splitting: true,
    clean: false,
  },
  {
    ...shared,
    // The start of every command, and all of `play` up to the first frame: one CommonJS file,
    // which Node loads in about half the time of the same code as ES modules (7 vs 13 ms here).
    // The lazy modules stay outside, imported from dist/lazy/. The two bundles share no state:
    // errors are recognized by name (isCliError, isMpvError), not by class identity.
    entry: { cli: "src/cli.ts" },
    format: ["cjs"],
    splitting: false,
    esbuildPlugins: [
      {
        name: "lazy-modules",
        setup(build) {
          build.onResolve({ filter: /^\.\.?\// }, (args) => {
            if (args.kind !== "dynamic-import") return undefined;
            const name = LAZY.find((lazy) => args.path.endsWith(`${lazy.split("/")[1]}.js`));
            return name === undefined
              ? undefined
              : { path: `./lazy/${name.split("/")[1]}.js`, external: true };
          });
        },
      },
    ],
  },
]);

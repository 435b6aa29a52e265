#!/usr/bin/env node
import { processIo } from "./internal/io.js";
import { mark } from "./internal/trace.js";

mark("node ready");
import("./main.js")
  .then(({ main }) => {
    mark("modules loaded");
    return main(process.argv.slice(2), processIo());
  })
  .then((code) => {
    // Let stdout drain, then leave: nothing else should keep the process alive.
    process.exitCode = code;
    setTimeout(() => process.exit(code), 200).unref();
  });

#!/usr/bin/env node
import { processIo } from "./internal/io.js";
import { mark } from "./internal/trace.js";

mark("node ready");
const { main } = await import("./main.js");
mark("modules loaded");
const code = await main(process.argv.slice(2), processIo());
// Let stdout drain, then leave: nothing else should keep the process alive.
process.exitCode = code;
setTimeout(() => process.exit(code), 200).unref();

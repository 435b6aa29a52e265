// A process serving /play/ through the real gate and segment cache, for the P1 benchmark.
// argv: <hls root> <stream id> <session id> <port file>
import { writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createGate } from "../src/media/gate.js";
import { SegmentCache } from "../src/media/segment-cache.js";

const [hlsRoot = "", streamId = "", sessionId = "", portFile = ""] = process.argv.slice(2);
const cache = new SegmentCache();
cache.watch(path.join(hlsRoot, streamId));
const sessions = new Map([[sessionId, { streamId, expiresAt: Date.now() + 3_600_000, endedAt: null }]]);
const gate = createGate({
  hlsRoot,
  cache,
  lookupSession: (id) => sessions.get(id),
  isStreamLive: (id) => id === streamId,
});
const server = http.createServer((req, res) => {
  if (!gate(req, res)) res.writeHead(404).end();
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  writeFileSync(portFile, String((server.address() as AddressInfo).port));
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

// A login route limited per address with the memory store, called over real HTTP.
// Run after `npm run build`: npx tsx examples/ratelimit/index.ts
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { MemoryStore, RateLimiter } from "@mpvstream/ratelimit";
import { byAddress, rateLimit } from "@mpvstream/ratelimit/express";
import express from "express";

const limiter = new RateLimiter({ name: "login", limit: 3, periodMs: 60_000, store: new MemoryStore() });
const app = express();
app.post("/auth/login", rateLimit({ limiter, key: byAddress }), (_req, res) => {
  res.json({ ok: true });
});

const server = app.listen(0, "127.0.0.1");
await once(server, "listening");
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/login`;
try {
  for (let i = 1; i <= 4; i++) {
    const response = await fetch(url, { method: "POST" });
    console.log(
      i,
      response.status,
      response.headers.get("ratelimit"),
      response.headers.get("retry-after") ?? "",
    );
    if (response.status === 429) console.log(await response.json());
  }
} finally {
  server.close();
}

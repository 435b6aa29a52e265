// Talks to a tiny stand-in server started here (so the example needs nothing running): a health
// check, a problem answer read as a ProblemError, and a call refused before sending (not logged in).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient, isProblemError } from "@mpvstream/client";

const server = createServer((req, res) => {
  if (req.url === "/healthz")
    return res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
  const problem = {
    type: "urn:mpvstream:problem:not_found",
    title: "Not found",
    status: 404,
    detail: `${req.url}`,
    code: "not_found",
  };
  res.writeHead(404, { "content-type": "application/problem+json" }).end(JSON.stringify(problem));
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const client = createClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });

try {
  console.log("health:", await client.health());
  await client.me().catch((error: unknown) => {
    if (isProblemError(error)) console.log("me:", error.code);
  });
  await client.login({ email: "demo@local", password: "demo" }).catch((error: unknown) => {
    if (isProblemError(error)) console.log("login:", error.code, error.status);
  });
} finally {
  server.close();
}

// Fails fast, with a sentence, when the PostgreSQL or Redis that the tests need does not answer.
import net from "node:net";

const targets = [
  ["PostgreSQL", process.env.DATABASE_URL],
  ["Redis", process.env.REDIS_URL],
];

function reachable(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.setTimeout(3000);
    socket.once("connect", () => resolve(socket.destroy() ?? true));
    socket.once("timeout", () => resolve(socket.destroy() ?? false));
    socket.once("error", () => resolve(false));
  });
}

let failed = false;
for (const [name, url] of targets) {
  if (!url) continue;
  if (!(await reachable(url))) {
    console.error(`check: ${name} does not answer at ${url}: start it, or point the URL elsewhere.`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);

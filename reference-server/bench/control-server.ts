// The server under test for bench/run.ts, in its own process (the load generator must not share
// its event loop). argv[2]: "pglite" | "postgres". Prints {"url": ...} on stdout when listening;
// IPC messages: {advance: ms} moves the server clock, {check: true} answers the ledger invariant.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { pino } from "pino";
import { defineConfig } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { startServer } from "../src/server.js";
import { RecordingStreamController } from "../src/streams/controller.js";

const kind = process.argv[2] === "postgres" ? "postgres" : "pglite";
const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const dataDir = mkdtempSync(join(tmpdir(), "bench-control-"));
const schema = `bench_${randomBytes(4).toString("hex")}`;
if (kind === "postgres") {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
}
const db =
  kind === "postgres"
    ? await openDatabase({
        kind: "postgres",
        url: DATABASE_URL,
        schema,
        ...(process.env.BENCH_POOL ? { max: Number(process.env.BENCH_POOL) } : {}),
      })
    : await openDatabase({ kind: "pglite", dataDir: join(dataDir, "pglite") });
let offset = 0;
const server = await startServer(
  defineConfig({
    port: 0,
    dataDir,
    logLevel: "silent",
    admin: { email: "bench@example.test", password: "bench-password" },
    sessionGraceS: 60,
    maxSessionsPerUser: 4,
    accessTokenTtlS: 86_400,
  }),
  {
    logger: pino({ level: "silent" }),
    database: db,
    clock: () => Date.now() + offset,
    passwordCost: { log2N: 10, r: 8, p: 1 },
    limits: {
      loginPerAddress: { limit: 1_000_000, periodS: 1, burst: 1_000_000 },
      loginPerAccount: { limit: 1_000_000, periodS: 1, burst: 1_000_000 },
      playbackStartPerAccount: { limit: 1_000_000, periodS: 1, burst: 1_000_000 },
    },
    streamController: (deps) => new RecordingStreamController(deps.streams, deps.clock),
  },
);

process.on("message", async (message: { advance?: number; check?: boolean; cpu?: boolean; id: number }) => {
  if (message.advance !== undefined) offset += message.advance;
  let result: unknown = null;
  if (message.cpu) {
    const usage = process.cpuUsage();
    result = usage.user + usage.system;
  }
  if (message.check) {
    const rows = await db.query<{ balance: number; total: number | null; neg: number }>(
      `SELECT u.balance, (SELECT sum(delta) FROM ledger l WHERE l.user_id = u.id) AS total,
              (SELECT count(*) FROM ledger l WHERE l.user_id = u.id AND l.balance_after < 0) AS neg FROM users u`,
    );
    const [keys] = await db.query<{ dup: number }>(
      "SELECT count(*) AS dup FROM (SELECT idempotency_key FROM ledger WHERE idempotency_key IS NOT NULL GROUP BY 1 HAVING count(*) > 1) d",
    );
    const [debits] = await db.query<{ n: number }>(
      "SELECT count(*) AS n FROM ledger WHERE kind = 'playback'",
    );
    result = {
      users: rows.length,
      mismatched: rows.filter((r) => Number(r.total ?? 0) !== Number(r.balance)).length,
      negative: rows.filter((r) => Number(r.balance) < 0 || Number(r.neg) > 0).length,
      duplicateKeys: Number(keys?.dup ?? 0),
      debits: Number(debits?.n ?? 0),
    };
  }
  process.send?.({ id: message.id, result });
});

const stop = async () => {
  await server.close(1000);
  await db.close();
  if (kind === "postgres") {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  }
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("disconnect", () => void stop());
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

// QUALITY R1: 1,000 concurrent renews of many sessions across two server instances (two
// processes) on one PostgreSQL database, with replays of the same Idempotency-Key on either
// instance, and one instance killed with SIGKILL in the middle of the run. A client whose request
// dies with that instance sends it again, with the same key, to the other one.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, DATABASE_URL, http } from "./helpers.js";

const INSTANCE = join(import.meta.dirname, "fixtures", "instance.ts");
const PERIOD_S = 5;
const WAVES = 10;
const PER_WAVE = 100;
const KILL_AFTER_WAVE = 4;
const VIEWERS = 24;

interface Instance {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts one instance and resolves once it listens. */
function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ["--import", "tsx", INSTANCE], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr?.on("data", (chunk) => {
    err += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance did not start: ${err}`)), 30_000);
    child.stdout?.on("data", (chunk) => {
      out += chunk;
      const match = /"url":"(http:[^"]+)"/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`instance exited (${code}): ${err}`));
    });
  });
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** One renew as a client sends it: the same key until it has a final answer. */
interface Answer {
  readonly key: string;
  readonly userId: string;
  readonly status: number;
  readonly body: { points_charged?: number; code?: string } & Record<string, unknown>;
}

describe("two instances on one PostgreSQL, one SIGKILLed (R1)", () => {
  const database = `r1_${randomBytes(6).toString("hex")}`;
  const url = new URL(DATABASE_URL);
  url.pathname = `/${database}`;
  let dataDir: string;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${database}`);
    dataDir = await mkdtemp(join(tmpdir(), "mpvstream-r1-"));
    const env = {
      DATABASE_URL: url.toString(),
      DATA_DIR: dataDir,
      PORT: "0",
      MPVSTREAM_ADMIN_EMAIL: ADMIN.email,
      MPVSTREAM_ADMIN_PASSWORD: ADMIN.password,
      SESSION_PERIOD_S: String(PERIOD_S),
      MAX_SESSIONS_PER_USER: "2",
      LOG_LEVEL: "warn",
    };
    // One after the other: the first creates the schema and the signing keys both then share.
    a = await startInstance(env);
    b = await startInstance(env);
  }, 90_000);

  afterAll(async () => {
    for (const instance of [a, b]) instance?.child.kill("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it("keeps every invariant: balance = initial - debits, never negative, one debit per key, nothing accepted lost", async () => {
    const apiA = http(a.url);
    const apiB = http(b.url);
    const token = (await apiA.login(ADMIN.email, ADMIN.password)).access_token;
    expect(
      (
        await apiA.post(
          "/streams",
          { id: "r1", title: "R1", points_per_minute: 24, source: { kind: "test" } },
          token,
        )
      ).status,
    ).toBe(201);
    expect((await apiA.post("/streams/r1/state", { state: "live" }, token)).status).toBe(202);

    // 24 viewers with 2 sessions each (2 points a period each); some run out during the run (402).
    // Logins first (each costs a scrypt hash), then the sessions, so that none expires before the run.
    const viewers = await Promise.all(
      Array.from({ length: VIEWERS }, async (_, i) => {
        const email = `r1-${i}@example.test`;
        const created = await apiA.post(
          "/admin/users",
          { email, password: "viewer-password", role: "user", points_balance: 8 + (i % 4) * 8 },
          token,
        );
        expect(created.status).toBe(201);
        // Log in on either instance: both verify tokens signed by the other.
        const login = await (i % 2 ? apiB : apiA).login(email, "viewer-password");
        return { userId: login.user.id, token: login.access_token };
      }),
    );
    const sessions: { id: string; userId: string; token: string }[] = [];
    for (const viewer of viewers) {
      for (const api of [apiA, apiB]) {
        const start = await api.post("/playback/start", { stream_id: "r1" }, viewer.token);
        expect(start.status, JSON.stringify(start.body)).toBe(201);
        sessions.push({ id: start.body.session_id, ...viewer });
      }
    }

    let bAlive = true;
    let failedOver = 0;
    /** Sends one renew until it has a final answer: a dead instance's request goes to the other. */
    const renew = async (
      key: string,
      session: (typeof sessions)[number],
      first: typeof apiA,
    ): Promise<Answer> => {
      let api = first === apiB && !bAlive ? apiA : first;
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await api.post("/playback/renew", { session_id: session.id }, session.token, {
            "idempotency-key": key,
          });
          // A key whose first request died with the killed instance is free again after
          // IDEMPOTENCY_STALE_MS (10 s); until then the answer is 409, and the client waits.
          if (res.status === 409 && res.body.code === "idempotency_in_progress" && attempt < 100) {
            await new Promise((resolve) => setTimeout(resolve, 250));
            continue;
          }
          return { key, userId: session.userId, status: res.status, body: res.body };
        } catch (error) {
          if (api !== apiB || attempt > 3) throw error;
          failedOver++;
          api = apiA;
        }
      }
    };

    const sent: { key: string; session: (typeof sessions)[number] }[] = [];
    const pending: Promise<Answer>[] = [];
    for (let wave = 0; wave < WAVES; wave++) {
      for (let i = 0; i < PER_WAVE; i++) {
        const n = wave * PER_WAVE + i;
        // A quarter replay an earlier key (same session, same body), on whichever instance.
        const replay = n > 50 && n % 4 === 0;
        const pick = replay
          ? (sent[(n * 7) % sent.length] as (typeof sent)[number])
          : { key: randomUUID(), session: sessions[n % sessions.length] as (typeof sessions)[number] };
        if (!replay) sent.push(pick);
        pending.push(renew(pick.key, pick.session, n % 2 ? apiB : apiA));
      }
      if (wave === KILL_AFTER_WAVE) {
        // Mid-run, with this wave's requests in flight on it.
        await new Promise((resolve) => setTimeout(resolve, 20));
        b.child.kill("SIGKILL");
        bAlive = false;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const answers = await Promise.all(pending);
    expect(answers).toHaveLength(WAVES * PER_WAVE);
    expect(failedOver).toBeGreaterThan(0); // the kill did catch requests in flight

    const statuses = new Map<number, number>();
    for (const { status } of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    for (const status of statuses.keys())
      expect([200, 402, 410], JSON.stringify([...statuses])).toContain(status);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(500);
    expect(statuses.get(402) ?? 0).toBeGreaterThan(0);

    // Every answer to one key is the same answer, whichever instance gave it.
    const byKey = new Map<string, Set<string>>();
    for (const { key, status, body } of answers)
      byKey.set(key, (byKey.get(key) ?? new Set()).add(JSON.stringify([status, body])));
    for (const [key, bodies] of byKey) expect(bodies.size, `${key}: ${[...bodies].join(" / ")}`).toBe(1);

    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    try {
      // Each key debits at most once, and every accepted charge has its ledger row.
      const keyed = await db.query<{ idempotency_key: string; n: string }>(
        "SELECT idempotency_key, count(*) AS n FROM ledger WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key",
      );
      for (const row of keyed.rows) expect(Number(row.n)).toBe(1);
      const recorded = new Set(keyed.rows.map((row) => row.idempotency_key));
      const charged = answers.filter((x) => x.status === 200 && (x.body.points_charged ?? 0) > 0);
      expect(charged.length).toBeGreaterThan(40);
      for (const { key, userId } of charged) expect(recorded.has(`${userId}:${key}`), key).toBe(true);

      // For every user: balance = initial grant - debits = the sum of the ledger, never below zero.
      const users = await db.query<{ id: string; balance: string; total: string | null; negative: string }>(
        `SELECT u.id, u.balance, (SELECT sum(delta) FROM ledger l WHERE l.user_id = u.id) AS total,
                (SELECT count(*) FROM ledger l WHERE l.user_id = u.id AND l.balance_after < 0) AS negative
         FROM users u`,
      );
      expect(users.rows).toHaveLength(VIEWERS + 1);
      for (const row of users.rows) {
        expect(Number(row.balance)).toBeGreaterThanOrEqual(0);
        expect(Number(row.total ?? 0), row.id).toBe(Number(row.balance));
        expect(Number(row.negative)).toBe(0);
      }
    } finally {
      await db.end();
    }
    // The instance left standing still serves.
    expect((await apiA.get("/healthz")).status).toBe(200);
  }, 120_000);
});

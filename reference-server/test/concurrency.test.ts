import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, http, type TestServer, testServer } from "./helpers.js";

/** Checks the ledger invariant for every user: balance = sum of ledger deltas, never negative. */
export async function checkInvariant(server: TestServer) {
  const rows = await server.db.query<{ id: string; balance: number; total: number | null; negative: number }>(
    `SELECT u.id, u.balance, (SELECT sum(delta) FROM ledger l WHERE l.user_id = u.id) AS total,
            (SELECT count(*) FROM ledger l WHERE l.user_id = u.id AND l.balance_after < 0) AS negative
     FROM users u`,
  );
  for (const row of rows) {
    expect(Number(row.balance)).toBeGreaterThanOrEqual(0);
    expect(Number(row.total ?? 0), row.id).toBe(Number(row.balance));
    expect(Number(row.negative)).toBe(0);
  }
  return rows;
}

describe("500 concurrent renews on PostgreSQL", () => {
  let server: TestServer;
  let api: ReturnType<typeof http>;
  const started = Date.now();
  // Time runs 30x faster for the server, so that sessions cross several billing periods during the run.
  const clock = () => started + (Date.now() - started) * 30;

  beforeAll(async () => {
    server = await testServer("postgres", { accessTokenTtlS: 86_400, maxSessionsPerUser: 3 }, { clock });
    api = http(server.url);
  });
  afterAll(() => server.stop());

  it("keeps balance = initial - debits, never negative, one debit per key, replays identical", async () => {
    const admin = (await api.login(ADMIN.email, ADMIN.password)).access_token;
    await api.post(
      "/streams",
      { id: "race", title: "race", points_per_minute: 3, source: { kind: "test" } },
      admin,
    );
    await api.post("/streams/race/state", { state: "live" }, admin);
    const users = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const email = `racer${i}@example.test`;
        const points = 10 + (i % 5) * 7; // some run out of points during the run
        await api.post(
          "/admin/users",
          { email, password: "racer-password", role: "user", points_balance: points },
          admin,
        );
        const login = await api.login(email, "racer-password");
        return { token: login.access_token, id: login.user.id, points };
      }),
    );
    const sessions: { id: string; token: string }[] = [];
    for (const user of users) {
      for (let k = 0; k < 3; k++) {
        const start = await api.post("/playback/start", { stream_id: "race" }, user.token);
        if (start.status === 201) sessions.push({ id: start.body.session_id, token: user.token });
      }
    }
    expect(sessions.length).toBeGreaterThan(60);

    // 500 renews at once over every session, a third of them replaying an earlier key.
    const keys: { key: string; session: (typeof sessions)[number] }[] = [];
    const calls = Array.from({ length: 500 }, (_, i) => {
      const replay = i > 50 && i % 3 === 0;
      const pick = replay
        ? (keys[i % keys.length] as (typeof keys)[number])
        : { key: randomUUID(), session: sessions[i % sessions.length] as (typeof sessions)[number] };
      if (!replay) keys.push(pick);
      return pick;
    });
    const answers = await Promise.all(
      calls.map(async ({ key, session }) => ({
        key,
        res: await api.post("/playback/renew", { session_id: session.id }, session.token, {
          "idempotency-key": key,
        }),
      })),
    );
    const statuses = new Map<number, number>();
    for (const { res } of answers) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    for (const status of statuses.keys()) expect([200, 402, 409, 410]).toContain(status);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(250);

    // Replays of one key that both completed carry the same answer.
    const byKey = new Map<string, unknown[]>();
    for (const { key, res } of answers) {
      if (res.status === 409) continue; // still in progress at the time: no answer to compare
      byKey.set(key, [...(byKey.get(key) ?? []), JSON.stringify([res.status, res.body])]);
    }
    for (const [key, bodies] of byKey)
      expect(new Set(bodies).size, `${key} ${[...new Set(bodies)].join(" / ")}`).toBe(1);

    // Each key debited at most once, and every accepted charge has its ledger row.
    const ledger = await server.db.query<{ idempotency_key: string; n: number }>(
      "SELECT idempotency_key, count(*) AS n FROM ledger WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key",
    );
    for (const row of ledger) expect(Number(row.n)).toBe(1);
    const recorded = new Set(ledger.map((row) => row.idempotency_key.split(":").slice(1).join(":")));
    for (const { key, res } of answers) {
      if (res.status === 200 && res.body.points_charged > 0) expect(recorded.has(key), key).toBe(true);
    }
    const rows = await checkInvariant(server);
    expect(rows.length).toBe(41);
    // Sessions never prepay more than one period beyond the current one.
    const over = await server.db.query(
      "SELECT id FROM sessions WHERE expires_at > started_at + (periods_paid * interval '60 seconds') + interval '1 second'",
    );
    expect(over).toEqual([]);
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IDEMPOTENCY_STALE_MS } from "../src/store/idempotency.js";
import { ADMIN, BACKENDS, http, type TestServer, testServer } from "./helpers.js";

describe.each(BACKENDS)("playback billing on %s", (kind) => {
  let server: TestServer;
  let api: ReturnType<typeof http>;
  let admin: string;
  let now = Date.parse("2026-03-01T12:00:00.000Z");
  let n = 0;

  /** A new viewer with `points`, logged in. */
  const viewer = async (points: number) => {
    const email = `viewer${++n}@example.test`;
    const created = await api.post(
      "/admin/users",
      { email, password: "viewer-pass", role: "user", points_balance: points },
      admin,
    );
    expect(created.status).toBe(201);
    const login = await api.login(email, "viewer-pass");
    return { token: login.access_token, id: login.user.id };
  };

  beforeAll(async () => {
    server = await testServer(
      kind,
      { sessionPeriodS: 60, sessionGraceS: 10, maxSessionsPerUser: 2 },
      { clock: () => now },
    );
    api = http(server.url);
    admin = (await api.login(ADMIN.email, ADMIN.password)).access_token;
    for (const [id, price] of [
      ["tv", 10],
      ["free", 0],
      ["odd", 7],
    ] as const) {
      await api.post(
        "/streams",
        { id, title: id, points_per_minute: price, source: { kind: "test" } },
        admin,
      );
      await api.post(`/streams/${id}/state`, { state: "live" }, admin);
    }
    await api.post(
      "/streams",
      { id: "dark", title: "dark", points_per_minute: 1, source: { kind: "test" } },
      admin,
    );
  });
  afterAll(() => server.stop());

  it("charges the first period at start and the next only when less than one period remains", async () => {
    const v = await viewer(100);
    const start = await api.post("/playback/start", { stream_id: "tv" }, v.token);
    expect(start.status).toBe(201);
    expect(start.body).toMatchObject({
      stream_id: "tv",
      points_charged: 10,
      points_balance: 90,
      renew_after_s: 30,
    });
    expect(start.body.session_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Date.parse(start.body.expires_at)).toBe(now + 60_000);
    const id = start.body.session_id;

    // 59.999 s remain: less than one period, so the next period is paid (expiry + 60 s).
    now += 1;
    const first = await api.post("/playback/renew", { session_id: id }, v.token);
    expect(first.body).toMatchObject({ points_charged: 10, points_balance: 80 });
    expect(Date.parse(first.body.expires_at)).toBe(now - 1 + 120_000);
    // Now 119.999 s remain: a renew prepays nothing more.
    const second = await api.post("/playback/renew", { session_id: id }, v.token);
    expect(second.body).toMatchObject({ points_charged: 0, points_balance: 80 });
    // 70 s later, 49.999 s remain: one more period.
    now += 70_000;
    const third = await api.post("/playback/renew", { session_id: id }, v.token);
    expect(third.body).toMatchObject({ points_charged: 10, points_balance: 70 });
    expect(third.body.renew_after_s).toBe(Math.floor((Date.parse(third.body.expires_at) - now) / 1000 - 30));
    const ledger = await api.get("/me/ledger?limit=3", v.token);
    expect(ledger.body.entries).toHaveLength(3);
    expect(
      ledger.body.entries.map((e: { delta: number; balance_after: number }) => [e.delta, e.balance_after]),
    ).toEqual([
      [-10, 70],
      [-10, 80],
      [-10, 90],
    ]);
    expect(ledger.body.entries[0].session_id).toBe(id);
  });

  it("prorates the price to the period and lets free streams play without ledger rows", async () => {
    const v = await viewer(5);
    const free = await api.post("/playback/start", { stream_id: "free" }, v.token);
    expect(free.body).toMatchObject({ points_charged: 0, points_balance: 5 });
    expect((await api.get("/me/ledger", v.token)).body.entries).toHaveLength(1);
  });

  it("refuses with 402 when the balance is short, and never goes below zero", async () => {
    const v = await viewer(15);
    const start = await api.post("/playback/start", { stream_id: "tv" }, v.token);
    expect(start.body.points_balance).toBe(5);
    now += 1;
    const renew = await api.post("/playback/renew", { session_id: start.body.session_id }, v.token);
    expect(renew.status).toBe(402);
    expect(renew.body.code).toBe("insufficient_points");
    expect(renew.headers.get("content-type")).toContain("application/problem+json");
    expect((await api.get("/me", v.token)).body.points_balance).toBe(5);
    const again = await api.post("/playback/start", { stream_id: "tv" }, v.token);
    expect(again.status).toBe(402);
    // The session stays valid until its paid time ends.
    expect(server.sessions.isActive(start.body.session_id)).toBe(true);
  });

  it("answers 404, 409, 403 and 410 as the contract says", async () => {
    const v = await viewer(100);
    const other = await viewer(100);
    expect((await api.post("/playback/start", { stream_id: "nope" }, v.token)).body.code).toBe(
      "stream_not_found",
    );
    const dark = await api.post("/playback/start", { stream_id: "dark" }, v.token);
    expect([dark.status, dark.body.code]).toEqual([409, "stream_not_live"]);
    const start = await api.post("/playback/start", { stream_id: "odd" }, v.token);
    expect(start.body.points_charged).toBe(7);
    const id = start.body.session_id;
    const stolen = await api.post("/playback/renew", { session_id: id }, other.token);
    expect([stolen.status, stolen.body.code]).toEqual([403, "forbidden"]);
    expect((await api.post("/playback/stop", { session_id: id }, other.token)).status).toBe(403);
    const unknown = await api.post("/playback/renew", { session_id: "AAAAAAAAAAAAAAAAAAAAAA" }, v.token);
    expect([unknown.status, unknown.body.code]).toEqual([404, "session_not_found"]);
    expect((await api.post("/playback/stop", { session_id: id }, v.token)).status).toBe(204);
    expect((await api.post("/playback/stop", { session_id: id }, v.token)).status).toBe(204);
    const ended = await api.post("/playback/renew", { session_id: id }, v.token);
    expect([ended.status, ended.body.code]).toEqual([410, "session_ended"]);
  });

  it("ends sessions past expiry plus grace", async () => {
    const v = await viewer(100);
    const start = await api.post("/playback/start", { stream_id: "tv" }, v.token);
    const id = start.body.session_id;
    now += 60_000 + 5_000; // inside the grace: still renewable
    expect(server.sessions.isActive(id)).toBe(true);
    const late = await api.post("/playback/renew", { session_id: id }, v.token);
    expect(late.body.points_charged).toBe(10);
    expect(Date.parse(late.body.expires_at)).toBe(now + 60_000);
    now += 60_000 + 10_001;
    expect(server.sessions.isActive(id)).toBe(false);
    const gone = await api.post("/playback/renew", { session_id: id }, v.token);
    expect([gone.status, gone.body.code]).toEqual([410, "session_ended"]);
  });

  it("caps active sessions per user at max_sessions_per_user", async () => {
    const v = await viewer(1000);
    const a = await api.post("/playback/start", { stream_id: "free" }, v.token);
    await api.post("/playback/start", { stream_id: "free" }, v.token);
    const third = await api.post("/playback/start", { stream_id: "free" }, v.token);
    expect([third.status, third.body.code]).toEqual([429, "too_many_sessions"]);
    await api.post("/playback/stop", { session_id: a.body.session_id }, v.token);
    expect((await api.post("/playback/start", { stream_id: "free" }, v.token)).status).toBe(201);
  });

  it("counts sessions still in their grace toward the cap, since they can be renewed", async () => {
    const v = await viewer(1000);
    await api.post("/playback/start", { stream_id: "free" }, v.token);
    await api.post("/playback/start", { stream_id: "free" }, v.token);
    now += 60_000 + 5_000; // both past expires_at, inside the grace
    const third = await api.post("/playback/start", { stream_id: "free" }, v.token);
    expect([third.status, third.body.code]).toEqual([429, "too_many_sessions"]);
    now += 5_001; // past the grace: they cannot come back
    expect((await api.post("/playback/start", { stream_id: "free" }, v.token)).status).toBe(201);
  });

  it("honours Idempotency-Key: replay, different body, scope per user", async () => {
    const v = await viewer(100);
    const other = await viewer(100);
    const key = { "idempotency-key": "start-1" };
    const first = await api.post("/playback/start", { stream_id: "tv" }, v.token, key);
    const replay = await api.post("/playback/start", { stream_id: "tv" }, v.token, key);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await api.get("/me", v.token)).body.points_balance).toBe(90);
    const reused = await api.post("/playback/start", { stream_id: "odd" }, v.token, key);
    expect([reused.status, reused.body.code]).toEqual([422, "idempotency_key_reused"]);
    // Same key, another user: a separate request.
    const theirs = await api.post("/playback/start", { stream_id: "tv" }, other.token, key);
    expect(theirs.body.session_id).not.toBe(first.body.session_id);
    // Renew: replay moves no points, and a replayed refusal stays the same answer.
    now += 1;
    const rkey = { "idempotency-key": "renew-1" };
    const r1 = await api.post("/playback/renew", { session_id: first.body.session_id }, v.token, rkey);
    const r2 = await api.post("/playback/renew", { session_id: first.body.session_id }, v.token, rkey);
    expect(r1.body).toEqual(r2.body);
    expect((await api.get("/me", v.token)).body.points_balance).toBe(80);
  });

  /**
   * Holds the billing's starts (all of them, or the first only) until `release()`; `restore()`
   * puts the billing back. Counts the starts that reached it.
   */
  const stallStarts = (which: "all" | "first") => {
    const billing = server.context.billing;
    const original = billing.start.bind(billing);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const stalled = { calls: 0, release, restore: () => (billing.start = original) };
    billing.start = async (input) => {
      if (++stalled.calls === 1 || which === "all") await gate;
      return original(input);
    };
    return stalled;
  };

  it("answers 409 idempotency_in_progress while the first request runs", async () => {
    const v = await viewer(100);
    const stalled = stallStarts("all");
    const headers = { "idempotency-key": "slow-1" };
    const running = api.post("/playback/start", { stream_id: "tv" }, v.token, headers);
    let second: Awaited<typeof running> | undefined;
    for (let i = 0; i < 50 && second?.status !== 409; i++) {
      second = await api.post("/playback/start", { stream_id: "tv" }, v.token, headers);
    }
    expect(second?.body.code).toBe("idempotency_in_progress");
    stalled.release();
    stalled.restore();
    expect((await running).status).toBe(201);
    expect((await api.post("/playback/start", { stream_id: "tv" }, v.token, headers)).body).toEqual(
      (await running).body,
    );
  });

  it("a request overtaken on its key (it ran past the stale window and a retry took the key) replays the winner's answer", async () => {
    const v = await viewer(100);
    // The first request stalls inside the billing; the retry that takes its key over does not.
    const stalled = stallStarts("first");
    try {
      const headers = { "idempotency-key": "overtaken-1" };
      const first = api.post("/playback/start", { stream_id: "tv" }, v.token, headers);
      while (stalled.calls === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      now += IDEMPOTENCY_STALE_MS + 1000;
      const retry = await api.post("/playback/start", { stream_id: "tv" }, v.token, headers);
      expect(retry.status).toBe(201);
      stalled.release();
      // The first one then hits the ledger's unique key: it answers as a retry would, not 500.
      const overtaken = await first;
      expect([overtaken.status, overtaken.body]).toEqual([201, retry.body]);
      expect(overtaken.headers.get("idempotent-replayed")).toBe("true");
      expect((await api.get("/me", v.token)).body.points_balance).toBe(90);
    } finally {
      stalled.release();
      stalled.restore();
    }
  });

  it("admin revocation reaches the session cache at once and lists active sessions", async () => {
    const v = await viewer(100);
    const start = await api.post("/playback/start", { stream_id: "tv" }, v.token);
    const id = start.body.session_id;
    const listed = await api.get("/admin/sessions", admin);
    expect(listed.body.sessions.find((s: { session_id: string }) => s.session_id === id)).toMatchObject({
      user_id: v.id,
      stream_id: "tv",
      points_charged: 10,
    });
    const changes: string[] = [];
    const unsubscribe = server.sessions.subscribe((s) => changes.push(`${s.id}:${s.endReason}`));
    expect((await api.call("DELETE", `/admin/sessions/${id}`, { token: admin })).status).toBe(204);
    unsubscribe();
    expect(server.sessions.isActive(id)).toBe(false);
    expect(changes).toEqual([`${id}:revoked`]);
    expect((await api.post("/playback/renew", { session_id: id }, v.token)).body.code).toBe("session_ended");
    expect(
      (await api.call("DELETE", "/admin/sessions/AAAAAAAAAAAAAAAAAAAAAA", { token: admin })).status,
    ).toBe(404);
  });
});

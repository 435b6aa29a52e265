import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, BACKENDS, http, type TestServer, testServer } from "./helpers.js";

describe.each(BACKENDS)("main flows on %s", (kind) => {
  let server: TestServer;
  let api: ReturnType<typeof http>;
  let admin: string;

  beforeAll(async () => {
    server = await testServer(kind);
    api = http(server.url);
    admin = (await api.login(ADMIN.email, ADMIN.password)).access_token;
  });
  afterAll(() => server.stop());

  it("logs in, creates a stream and a user, plays, renews, stops", async () => {
    const created = await api.post(
      "/streams",
      { id: "news", title: "News", points_per_minute: 5, source: { kind: "test" } },
      admin,
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: "news", state: "offline", viewers: 0 });
    expect((await api.post("/streams/news/state", { state: "live" }, admin)).body.state).toBe("live");
    const user = await api.post(
      "/admin/users",
      { email: "v@example.test", password: "viewer-pass", role: "user", points_balance: 12 },
      admin,
    );
    expect(user.status).toBe(201);
    const viewer = await api.login("V@example.test", "viewer-pass");
    const start = await api.post("/playback/start", { stream_id: "news" }, viewer.access_token);
    expect(start.status).toBe(201);
    expect(start.body.points_charged).toBe(5);
    expect(start.body.points_balance).toBe(7);
    expect(start.body.playback_url).toBe(`${server.url}/play/${start.body.session_id}/index.m3u8`);
    expect(server.sessions.isActive(start.body.session_id)).toBe(true);
    const metrics = await api.get("/monitoring/metrics", admin);
    expect(metrics.body).toMatchObject({
      active_sessions: 1,
      streams_live: 1,
      viewers_by_stream: { news: 1 },
    });
    expect(metrics.body.points_spent_per_minute).toBe(5);
    expect((await api.get("/streams/news", viewer.access_token)).body.viewers).toBe(1);
    const renew = await api.post(
      "/playback/renew",
      { session_id: start.body.session_id },
      viewer.access_token,
    );
    expect(renew.status).toBe(200);
    expect(renew.body.points_charged).toBe(5);
    const again = await api.post(
      "/playback/renew",
      { session_id: start.body.session_id },
      viewer.access_token,
    );
    expect(again.body.points_charged).toBe(0);
    expect((await api.get("/me", viewer.access_token)).body.points_balance).toBe(2);
    const ledger = await api.get("/me/ledger", viewer.access_token);
    expect(ledger.body.entries.map((e: { delta: number }) => e.delta)).toEqual([-5, -5, 12]);
    expect(
      (await api.post("/playback/stop", { session_id: start.body.session_id }, viewer.access_token)).status,
    ).toBe(204);
    expect(server.sessions.isActive(start.body.session_id)).toBe(false);
    // A grant shows in GET /me at once, although /me is served from a short-lived cache.
    const grant = await api.post(
      `/admin/users/${viewer.user.id}/points`,
      { delta: 40, reason: "gift" },
      admin,
    );
    expect(grant.body).toEqual({ points_balance: 42 });
    expect((await api.get("/me", viewer.access_token)).body.points_balance).toBe(42);
    // Balances stay safe integers: a grant past 2^53 - 1 is refused and moves nothing.
    const huge = { delta: Number.MAX_SAFE_INTEGER - 42, reason: "to the top" };
    const top = await api.post(`/admin/users/${viewer.user.id}/points`, huge, admin);
    expect(top.body).toEqual({ points_balance: Number.MAX_SAFE_INTEGER });
    const over = await api.post(
      `/admin/users/${viewer.user.id}/points`,
      { delta: 1, reason: "one more" },
      admin,
    );
    expect([over.status, over.body.code, over.body.errors?.[0]?.path]).toEqual([
      400,
      "validation_failed",
      "delta",
    ]);
    expect((await api.get("/me", viewer.access_token)).body.points_balance).toBe(Number.MAX_SAFE_INTEGER);
  });
});

import { createClient, isProblemError, type MpvstreamClient } from "@mpvstream/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, BACKENDS, type TestServer, testServer } from "./helpers.js";

/** The code of the ProblemError a call rejects with. */
const codeOf = async (call: Promise<unknown>): Promise<string> => {
  try {
    await call;
  } catch (error) {
    if (isProblemError(error)) return error.code;
    throw error;
  }
  throw new Error("the call succeeded");
};

describe.each(BACKENDS)("through @mpvstream/client on %s", (kind) => {
  let server: TestServer;
  let admin: MpvstreamClient;
  let viewer: MpvstreamClient;
  let now = Date.now();

  beforeAll(async () => {
    server = await testServer(kind, {}, { clock: () => now });
    admin = createClient({ baseUrl: server.url, retries: 0 });
    viewer = createClient({ baseUrl: server.url, retries: 0 });
    await admin.login({ email: ADMIN.email, password: ADMIN.password });
  });
  afterAll(() => server.stop());

  it("runs the operator's and the viewer's paths, every answer valid against the core schemas", async () => {
    expect(await admin.health()).toEqual({ status: "ok" });
    expect(await admin.ready()).toEqual({ status: "ready" });
    const stream = await admin.createStream({
      id: "news",
      title: "News",
      points_per_minute: 4,
      source: { kind: "test" },
    });
    expect(stream.state).toBe("offline");
    expect((await admin.setStreamState("news", { state: "live" })).state).toBe("live");
    const user = await admin.createUser({
      email: "c@example.test",
      password: "client-pass",
      role: "user",
      points_balance: 10,
    });
    expect(
      await codeOf(admin.createUser({ email: "c@example.test", password: "client-pass", role: "user" })),
    ).toBe("user_exists");

    await viewer.login({ email: "c@example.test", password: "client-pass" });
    expect((await viewer.me()).points_balance).toBe(10);
    expect((await viewer.listStreams()).streams.map((s) => s.id)).toEqual(["news"]);
    const session = await viewer.startPlayback({ stream_id: "news" }, { idempotencyKey: "client-start" });
    expect(session.points_charged).toBe(4);
    expect(await viewer.startPlayback({ stream_id: "news" }, { idempotencyKey: "client-start" })).toEqual(
      session,
    );
    now += 1000;
    const renewed = await viewer.renewPlayback({ session_id: session.session_id });
    expect(renewed).toMatchObject({ points_charged: 4, points_balance: 2 });
    now += 70_000;
    expect(await codeOf(viewer.renewPlayback({ session_id: session.session_id }))).toBe(
      "insufficient_points",
    );
    expect((await admin.listSessions()).sessions.map((s) => s.session_id)).toContain(session.session_id);
    expect(
      await admin.changePoints(user.id, { delta: 100, reason: "top-up" }, { idempotencyKey: "grant-1" }),
    ).toEqual({
      points_balance: 102,
    });
    expect(
      await admin.changePoints(user.id, { delta: 100, reason: "top-up" }, { idempotencyKey: "grant-1" }),
    ).toEqual({
      points_balance: 102,
    });
    expect((await viewer.renewPlayback({ session_id: session.session_id })).points_balance).toBe(98);
    const ledger = await viewer.ledger({ limit: 10 });
    expect(ledger.entries.map((e) => e.delta)).toEqual([-4, 100, -4, -4, 10]);
    await admin.revokeSession(session.session_id);
    expect(await codeOf(viewer.renewPlayback({ session_id: session.session_id }))).toBe("session_ended");
    await viewer.stopPlayback({ session_id: session.session_id });
    const metrics = await admin.metrics();
    expect(metrics).toMatchObject({ active_sessions: 0, streams_live: 1 });
    expect(metrics.points_spent_per_minute).toBeGreaterThanOrEqual(4);
    expect((await admin.errors()).errors).toEqual(expect.any(Array));
    expect(await codeOf(viewer.listUsers())).toBe("forbidden");
    expect(await codeOf(admin.deleteStream("news"))).toBe("invalid_transition");
    await admin.setStreamState("news", { state: "offline" });
    await admin.deleteStream("news");
    expect(await codeOf(admin.getStream("news"))).toBe("stream_not_found");
  });

  it("refreshes an expired access token once and retries; logout ends the refresh token", async () => {
    now += 901_000 + 10_000; // past the access token's lifetime and leeway
    const before = await viewer.tokenStore.get();
    expect((await viewer.me()).email).toBe("c@example.test");
    const after = await viewer.tokenStore.get();
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    await viewer.logout();
    expect(await codeOf(viewer.me())).toBe("not_logged_in");
    // The server revoked the refresh token: a client holding it cannot come back.
    const stale = createClient({ baseUrl: server.url, retries: 0 });
    await stale.tokenStore.set({ accessToken: "x.y.z", refreshToken: after?.refreshToken ?? "" });
    expect(await codeOf(stale.refresh())).toBe("invalid_token");
  });
});

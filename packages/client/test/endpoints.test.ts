import {
  ErrorsResponseSchema,
  HealthResponseSchema,
  LedgerResponseSchema,
  MetricsResponseSchema,
  PlaybackRenewResponseSchema,
  PlaybackSessionsResponseSchema,
  PlaybackStartResponseSchema,
  ReadyResponseSchema,
  StreamSchema,
  StreamsResponseSchema,
  TokenResponseSchema,
  UserSchema,
  UsersResponseSchema,
} from "@mpvstream/core";
import { describe, expect, it } from "vitest";
import { loggedIn, useFixture } from "./helpers.js";

const fixture = useFixture();

describe("one method per endpoint, against a real HTTP server", () => {
  it("covers the viewer's calls: login, me, ledger, streams, start, renew, stop, logout", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    expect(UserSchema.parse(await client.me())).toMatchObject({ email: "demo@local", points_balance: 1000 });
    expect(StreamsResponseSchema.parse(await client.listStreams()).streams.map((s) => s.id)).toEqual([
      "demo",
    ]);
    expect(StreamSchema.parse(await client.getStream("demo")).state).toBe("live");

    const started = PlaybackStartResponseSchema.parse(await client.startPlayback({ stream_id: "demo" }));
    expect(started).toMatchObject({ stream_id: "demo", points_charged: 10, points_balance: 990 });
    expect(started.playback_url).toBe(`${f.url}/play/${started.session_id}/index.m3u8`);
    const renewed = PlaybackRenewResponseSchema.parse(
      await client.renewPlayback({ session_id: started.session_id }),
    );
    expect(renewed.points_charged).toBe(0);
    await expect(client.stopPlayback({ session_id: started.session_id })).resolves.toBeUndefined();

    const ledger = LedgerResponseSchema.parse(await client.ledger({ limit: 5 }));
    expect(ledger.entries.map((e) => e.delta)).toEqual([-10]);
    expect(f.seen("GET", "/me/ledger")[0]?.headers.authorization).toMatch(/^Bearer /);

    await client.logout();
    expect(f.seen("POST", "/auth/logout")).toHaveLength(1);
    expect(await client.tokenStore.get()).toBeUndefined();
  });

  it("covers the admin's calls: streams CRUD and state, users, points, sessions, monitoring", async () => {
    const f = fixture.current;
    const admin = await loggedIn(f, "admin");
    const created = await admin.createStream({
      id: "news",
      title: "News",
      points_per_minute: 5,
      source: { kind: "rtmp", port: 1935 },
    });
    expect(StreamSchema.parse(created)).toMatchObject({ id: "news", state: "offline" });
    expect((await admin.updateStream("news", { points_per_minute: 3 })).points_per_minute).toBe(3);
    expect((await admin.setStreamState("news", { state: "live" })).state).toBe("live");
    expect((await admin.restartStream("news")).id).toBe("news");
    await admin.setStreamState("news", { state: "offline" });
    await expect(admin.deleteStream("news")).resolves.toBeUndefined();
    expect(f.state.streams.has("news")).toBe(false);

    const user = UserSchema.parse(
      await admin.createUser({ email: "ann@example.com", password: "long enough", role: "user" }),
    );
    expect(UsersResponseSchema.parse(await admin.listUsers()).users).toContainEqual(user);
    expect(await admin.changePoints(user.id, { delta: 50, reason: "welcome" })).toEqual({
      points_balance: 50,
    });

    const viewer = await loggedIn(f);
    const { session_id } = await viewer.startPlayback({ stream_id: "demo" });
    const sessions = PlaybackSessionsResponseSchema.parse(await admin.listSessions()).sessions;
    expect(sessions.map((s) => s.session_id)).toEqual([session_id]);
    expect(MetricsResponseSchema.parse(await admin.metrics())).toMatchObject({
      active_sessions: 1,
      viewers_by_stream: { demo: 1 },
    });
    expect(ErrorsResponseSchema.parse(await admin.errors())).toEqual({ errors: [] });
    await admin.revokeSession(session_id);
    expect(f.seen("DELETE", `/admin/sessions/${session_id}`)).toHaveLength(1);
    expect((await admin.metrics()).active_sessions).toBe(0);
  });

  it("covers the public calls: health, ready, refresh", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    expect(HealthResponseSchema.parse(await client.health())).toEqual({ status: "ok" });
    expect(ReadyResponseSchema.parse(await client.ready())).toEqual({ status: "ready" });
    expect(f.seen("GET", "/healthz")[0]?.headers.authorization).toBeUndefined();
    const before = await client.tokenStore.get();
    const answer = TokenResponseSchema.parse(await client.refresh());
    expect((await client.tokenStore.get())?.refreshToken).toBe(answer.refresh_token);
    expect(answer.refresh_token).not.toBe(before?.refreshToken);
  });

  it("encodes path parameters", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    await client.getStream("a/b?c").catch(() => undefined);
    expect(f.requests.at(-1)?.path).toBe("/streams/a%2Fb%3Fc");
  });
});

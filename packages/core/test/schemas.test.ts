import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  CreateStreamRequestSchema,
  CreateUserRequestSchema,
  ErrorsResponseSchema,
  LedgerEntrySchema,
  LedgerQuerySchema,
  LoginRequestSchema,
  MetricsResponseSchema,
  PlaybackRenewResponseSchema,
  PlaybackSessionRequestSchema,
  PlaybackSessionSchema,
  PlaybackStartRequestSchema,
  PlaybackStartResponseSchema,
  PointsChangeRequestSchema,
  ProblemSchema,
  RefreshRequestSchema,
  StreamSchema,
  StreamSourceSchema,
  StreamStateRequestSchema,
  TokenResponseSchema,
  UpdateStreamRequestSchema,
  UserSchema,
} from "../src/index.js";

const now = "2026-11-25T16:31:12.000Z";
const sid = "Qm9vdHN0cmFwU2Vzc2lvbjE";
const user = { id: "u_1", email: "viewer@example.com", role: "user", points_balance: 1000 };
const stream = {
  id: "demo",
  title: "Demo",
  state: "live",
  points_per_minute: 1,
  viewers: 3,
  source: { kind: "test" },
  updated_at: now,
};

/** Parses the JSON text, as a server would receive it, so that `__proto__` arrives as an own key. */
const json = (text: string): unknown => JSON.parse(text);

type Case = [name: string, schema: z.ZodType, value: unknown];

const valid: Case[] = [
  ["login", LoginRequestSchema, { email: "demo@local", password: "demo" }],
  ["refresh", RefreshRequestSchema, { refresh_token: "abc" }],
  ["user", UserSchema, user],
  ["admin user", UserSchema, { ...user, role: "admin", points_balance: 0 }],
  [
    "token response",
    TokenResponseSchema,
    { access_token: "a.b.c", token_type: "Bearer", expires_in: 900, refresh_token: "r", user },
  ],
  [
    "ledger entry",
    LedgerEntrySchema,
    { id: "1", delta: -5, balance_after: 995, reason: "playback", session_id: sid, created_at: now },
  ],
  [
    "ledger entry without session",
    LedgerEntrySchema,
    { id: "2", delta: 50, balance_after: 50, reason: "grant", session_id: null, created_at: now },
  ],
  ["stream", StreamSchema, stream],
  ["stream with error", StreamSchema, { ...stream, state: "error", last_error: "ffmpeg exited 1" }],
  ["test source", StreamSourceSchema, { kind: "test" }],
  ["file source", StreamSourceSchema, { kind: "file", path: "/srv/video.mp4", loop: true }],
  ["url source", StreamSourceSchema, { kind: "url", url: "https://example.com/live/index.m3u8" }],
  ["srt url source", StreamSourceSchema, { kind: "url", url: "srt://10.0.0.1:9000" }],
  ["rtmp source", StreamSourceSchema, { kind: "rtmp", port: 1935 }],
  [
    "create stream",
    CreateStreamRequestSchema,
    { id: "news_1", title: "News", points_per_minute: 2, source: { kind: "test" } },
  ],
  ["update stream title", UpdateStreamRequestSchema, { title: "Renamed" }],
  ["state live", StreamStateRequestSchema, { state: "live" }],
  ["state offline", StreamStateRequestSchema, { state: "offline" }],
  ["start", PlaybackStartRequestSchema, { stream_id: "demo" }],
  [
    "start response",
    PlaybackStartResponseSchema,
    {
      session_id: sid,
      stream_id: "demo",
      playback_url: `http://127.0.0.1:8080/play/${sid}/index.m3u8`,
      expires_at: now,
      renew_after_s: 30,
      points_charged: 1,
      points_balance: 999,
    },
  ],
  ["renew", PlaybackSessionRequestSchema, { session_id: sid }],
  [
    "renew response",
    PlaybackRenewResponseSchema,
    { session_id: sid, expires_at: now, renew_after_s: 30, points_charged: 0, points_balance: 999 },
  ],
  [
    "admin session",
    PlaybackSessionSchema,
    {
      session_id: sid,
      user_id: "u_1",
      stream_id: "demo",
      started_at: now,
      expires_at: now,
      points_charged: 4,
    },
  ],
  [
    "create user",
    CreateUserRequestSchema,
    { email: "new@example.com", password: "long enough", role: "user" },
  ],
  [
    "create user with points",
    CreateUserRequestSchema,
    { email: "new@example.com", password: "long enough", role: "admin", points_balance: 10 },
  ],
  ["grant", PointsChangeRequestSchema, { delta: 100, reason: "welcome" }],
  ["correction", PointsChangeRequestSchema, { delta: -3, reason: "refund reversed" }],
  [
    "metrics",
    MetricsResponseSchema,
    {
      active_sessions: 2,
      points_spent_per_minute: 4,
      login_failures: 0,
      playback_errors: 1,
      streams_live: 1,
      viewers_by_stream: { demo: 2 },
    },
  ],
  [
    "errors",
    ErrorsResponseSchema,
    {
      errors: [{ kind: "pipeline_crash", count: 2, last_at: now, last_message: "exit 1", stream_id: "demo" }],
    },
  ],
  [
    "problem",
    ProblemSchema,
    { type: "urn:mpvstream:problem:forbidden", title: "t", status: 403, detail: "d", code: "forbidden" },
  ],
];

const invalid: Case[] = [
  ["login without password", LoginRequestSchema, { email: "demo@local" }],
  ["login with unknown field", LoginRequestSchema, { email: "demo@local", password: "x", admin: true }],
  [
    "login with __proto__",
    LoginRequestSchema,
    json('{"email":"demo@local","password":"x","__proto__":{"role":"admin"}}'),
  ],
  [
    "login with constructor",
    LoginRequestSchema,
    json('{"email":"demo@local","password":"x","constructor":{}}'),
  ],
  ["login with bad email", LoginRequestSchema, { email: "not an email", password: "x" }],
  ["login with huge password", LoginRequestSchema, { email: "a@b", password: "x".repeat(1025) }],
  ["user with float points", UserSchema, { ...user, points_balance: 1.5 }],
  ["user with negative points", UserSchema, { ...user, points_balance: -1 }],
  [
    "user with 1e309 points",
    UserSchema,
    json(`{"id":"u","email":"a@b","role":"user","points_balance":1e309}`),
  ],
  ["user with unsafe points", UserSchema, { ...user, points_balance: 2 ** 53 }],
  ["user with string points", UserSchema, { ...user, points_balance: "10" }],
  ["user with unknown role", UserSchema, { ...user, role: "root" }],
  ["stream with bad state", StreamSchema, { ...stream, state: "paused" }],
  ["stream with extra field", StreamSchema, { ...stream, owner: "x" }],
  ["source of unknown kind", StreamSourceSchema, { kind: "webrtc" }],
  ["file source without loop", StreamSourceSchema, { kind: "file", path: "/a.mp4" }],
  ["file source with NUL", StreamSourceSchema, { kind: "file", path: "/a\0.mp4", loop: false }],
  ["url source with file scheme", StreamSourceSchema, { kind: "url", url: "file:///etc/passwd" }],
  ["url source not a url", StreamSourceSchema, { kind: "url", url: "nope" }],
  ["rtmp privileged port", StreamSourceSchema, { kind: "rtmp", port: 80 }],
  ["rtmp port too big", StreamSourceSchema, { kind: "rtmp", port: 70000 }],
  [
    "create stream with path id",
    CreateStreamRequestSchema,
    { id: "../etc", title: "x", points_per_minute: 1, source: { kind: "test" } },
  ],
  [
    "create stream with upper-case id",
    CreateStreamRequestSchema,
    { id: "Demo", title: "x", points_per_minute: 1, source: { kind: "test" } },
  ],
  [
    "create stream with empty title",
    CreateStreamRequestSchema,
    { id: "a", title: "  ", points_per_minute: 1, source: { kind: "test" } },
  ],
  [
    "create stream with negative price",
    CreateStreamRequestSchema,
    { id: "a", title: "x", points_per_minute: -1, source: { kind: "test" } },
  ],
  ["empty update", UpdateStreamRequestSchema, {}],
  ["state starting", StreamStateRequestSchema, { state: "starting" }],
  ["start without stream", PlaybackStartRequestSchema, {}],
  ["start with array", PlaybackStartRequestSchema, [{ stream_id: "demo" }]],
  ["start with null", PlaybackStartRequestSchema, null],
  ["renew with short id", PlaybackSessionRequestSchema, { session_id: "abc" }],
  ["renew with slash in id", PlaybackSessionRequestSchema, { session_id: "aaaaaaaaaaaaaaaa/../b" }],
  [
    "start response with ftp url",
    PlaybackStartResponseSchema,
    {
      session_id: sid,
      stream_id: "demo",
      playback_url: "ftp://x/y",
      expires_at: now,
      renew_after_s: 30,
      points_charged: 1,
      points_balance: 999,
    },
  ],
  [
    "renew response with local time",
    PlaybackRenewResponseSchema,
    {
      session_id: sid,
      expires_at: "2026-11-25 16:31",
      renew_after_s: 30,
      points_charged: 0,
      points_balance: 1,
    },
  ],
  [
    "create user with short password",
    CreateUserRequestSchema,
    { email: "a@b", password: "short", role: "user" },
  ],
  ["grant of zero", PointsChangeRequestSchema, { delta: 0, reason: "nothing" }],
  ["grant without reason", PointsChangeRequestSchema, { delta: 5 }],
  ["grant of a float", PointsChangeRequestSchema, { delta: 0.5, reason: "x" }],
  [
    "metrics with negative count",
    MetricsResponseSchema,
    {
      active_sessions: -1,
      points_spent_per_minute: 0,
      login_failures: 0,
      playback_errors: 0,
      streams_live: 0,
      viewers_by_stream: {},
    },
  ],
  [
    "problem with unknown code",
    ProblemSchema,
    { type: "t", title: "t", status: 400, detail: "d", code: "teapot" },
  ],
];

describe("schemas", () => {
  it.each(valid)("accepts %s", (_name, schema, value) => {
    expect(schema.safeParse(value).success).toBe(true);
  });

  it.each(invalid)("refuses %s", (_name, schema, value) => {
    expect(schema.safeParse(value).success).toBe(false);
  });

  it.each([
    [undefined, 50],
    ["1", 1],
    ["500", 500],
  ])("reads ledger limit %s as %d", (limit, expected) => {
    expect(LedgerQuerySchema.parse(limit === undefined ? {} : { limit })).toEqual({ limit: expected });
  });

  it.each(["0", "501", "-1", "1.5", "abc", "1e3", ""])("refuses ledger limit %j", (limit) => {
    expect(LedgerQuerySchema.safeParse({ limit }).success).toBe(false);
  });
});

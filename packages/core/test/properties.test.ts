import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  ERROR_CODES,
  LedgerEntrySchema,
  MetricsResponseSchema,
  PlaybackStartResponseSchema,
  ProblemSchema,
  StreamSchema,
  TokenResponseSchema,
  UserSchema,
} from "../src/index.js";

const points = fc.maxSafeNat();
const timestamp = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString());
const streamId = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,63}$/);
const sessionId = fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/);
const email = fc.tuple(fc.stringMatching(/^[a-z0-9._+-]{1,40}$/), fc.domain()).map(([l, d]) => `${l}@${d}`);
const text = fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim() === s && s.length > 0);

const user = fc.record({
  id: fc.stringMatching(/^[a-z0-9_-]{1,64}$/),
  email,
  role: fc.constantFrom("user", "admin"),
  points_balance: points,
});
const source = fc.oneof(
  fc.constant({ kind: "test" }),
  fc.record({
    kind: fc.constant("file"),
    path: fc.string({ minLength: 1, maxLength: 300 }).filter((s) => !s.includes("\0")),
    loop: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("url"), url: fc.webUrl() }),
  fc.record({ kind: fc.constant("rtmp"), port: fc.integer({ min: 1024, max: 65535 }) }),
);
const stream = fc.record(
  {
    id: streamId,
    title: text,
    state: fc.constantFrom("offline", "starting", "live", "stopping", "error"),
    points_per_minute: points,
    viewers: fc.nat(),
    source,
    updated_at: timestamp,
    last_error: fc.string({ maxLength: 2048 }),
  },
  { requiredKeys: ["id", "title", "state", "points_per_minute", "viewers", "source", "updated_at"] },
);
const ledgerEntry = fc.record({
  id: fc.stringMatching(/^[0-9]{1,20}$/),
  delta: fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  balance_after: points,
  reason: fc.string({ maxLength: 200 }),
  session_id: fc.option(sessionId, { nil: null }),
  created_at: timestamp,
});
const tokenResponse = fc.record({
  access_token: fc.string({ minLength: 1, maxLength: 4096 }),
  token_type: fc.constant("Bearer"),
  expires_in: fc.integer({ min: 1, max: 86400 }),
  refresh_token: fc.string({ minLength: 1, maxLength: 512 }),
  user,
});
const startResponse = fc.record({
  session_id: sessionId,
  stream_id: streamId,
  playback_url: fc.webUrl({ validSchemes: ["http", "https"] }).filter((u) => u.length <= 2048),
  expires_at: timestamp,
  renew_after_s: fc.integer({ min: 1, max: 86400 }),
  points_charged: points,
  points_balance: points,
});
const metrics = fc.record({
  active_sessions: fc.nat(),
  points_spent_per_minute: fc.nat(),
  login_failures: fc.nat(),
  playback_errors: fc.nat(),
  streams_live: fc.nat(),
  viewers_by_stream: fc.dictionary(streamId, fc.nat()),
});
const problemBody = fc.record(
  {
    type: fc.string({ maxLength: 256 }),
    title: fc.string({ maxLength: 256 }),
    status: fc.integer({ min: 400, max: 599 }),
    detail: fc.string({ maxLength: 2048 }),
    code: fc.constantFrom(...ERROR_CODES),
    errors: fc.array(
      fc.record({ path: fc.string({ maxLength: 50 }), message: fc.string({ maxLength: 200 }) }),
      {
        maxLength: 5,
      },
    ),
  },
  { requiredKeys: ["type", "title", "status", "detail", "code"] },
);

const cases: [string, z.ZodType, fc.Arbitrary<unknown>][] = [
  ["User", UserSchema, user],
  ["Stream", StreamSchema, stream],
  ["LedgerEntry", LedgerEntrySchema, ledgerEntry],
  ["TokenResponse", TokenResponseSchema, tokenResponse],
  ["PlaybackStartResponse", PlaybackStartResponseSchema, startResponse],
  ["MetricsResponse", MetricsResponseSchema, metrics],
  ["Problem", ProblemSchema, problemBody],
];

describe("JSON round trip", () => {
  it.each(cases)("every valid %s survives JSON unchanged", (_name, schema, arbitrary) => {
    fc.assert(
      fc.property(arbitrary, (value) => {
        expect(schema.safeParse(value).success).toBe(true);
        expect(schema.parse(JSON.parse(JSON.stringify(value)))).toEqual(value);
      }),
    );
  });

  it.each(cases)("a %s with any extra field is refused", (_name, schema, arbitrary) => {
    fc.assert(
      fc.property(
        arbitrary,
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.jsonValue(),
        (value, key, extra) => {
          fc.pre(!Object.hasOwn(value as object, key));
          const withExtra = JSON.parse(JSON.stringify({ ...(value as object), [key]: extra }));
          expect(schema.safeParse(withExtra).success).toBe(false);
        },
      ),
    );
  });
});

describe("points", () => {
  it("accepts exactly the safe integers >= 0", () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.bigInt().map(Number)), (n) => {
        const ok = UserSchema.safeParse({ id: "u", email: "a@b", role: "user", points_balance: n }).success;
        expect(ok).toBe(Number.isSafeInteger(n) && n >= 0);
      }),
    );
  });
});

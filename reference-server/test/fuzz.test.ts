import { ENDPOINTS, ProblemSchema } from "@mpvstream/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, http, type TestServer, testServer } from "./helpers.js";

const endpoints = Object.values(ENDPOINTS).filter((e) => e.method !== "GET");
const paths = [...new Set(Object.values(ENDPOINTS).map((e) => e.path))];

/** Bodies that are wrong in every way a client (or an attacker) can make them wrong. */
const bodies = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc
    .string({ unit: "grapheme", maxLength: 100 })
    .map((s) => JSON.stringify({ email: s, password: s, stream_id: s, session_id: s })),
  fc.constantFrom(
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"x":1}}}',
    '{"email":"a@b","password":"x","__proto__":null}',
    '{"stream_id":"demo","extra":1}',
    '{"delta":1e309,"reason":"x"}',
    '{"delta":9007199254740993,"reason":"x"}',
    '{"points_per_minute":-1}',
    '{"source":{"kind":"file","path":"a\\u0000b","loop":true}}',
    '{"id":"../../etc","title":"x","points_per_minute":1,"source":{"kind":"test"}}',
    "[]",
    "null",
    '"string"',
    "{",
    "\u0000",
    '{"a":'.repeat(500),
  ),
  fc.integer({ min: 16_000, max: 40_000 }).map((n) => JSON.stringify({ title: "x".repeat(n) })),
);

const idParts = fc.oneof(
  fc.constantFrom(
    "s",
    "..",
    "%2e%2e",
    "%00",
    "%ff",
    "a%2Fb",
    "x".repeat(300),
    "%E2%82",
    "demo",
    "AAAAAAAAAAAAAAAAAAAAAA",
  ),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
);

describe("malformed requests", () => {
  let server: TestServer;
  let api: ReturnType<typeof http>;
  let admin: string;
  let user: string;

  beforeAll(async () => {
    server = await testServer("pglite");
    api = http(server.url);
    admin = (await api.login(ADMIN.email, ADMIN.password)).access_token;
    await api.post(
      "/admin/users",
      { email: "f@example.test", password: "fuzz-password", role: "user", points_balance: 50 },
      admin,
    );
    user = (await api.login("f@example.test", "fuzz-password")).access_token;
  });
  afterAll(() => server.stop());

  it("2,000 generated malformed requests: never a 5xx, always problem+json with a detail", async () => {
    let count = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom(...endpoints).map((e) => [e.method, e.path] as const),
          fc.constantFrom(...paths).map((p) => ["POST", p] as const),
        ),
        idParts,
        bodies,
        fc.constantFrom("none", "user", "admin", "garbage"),
        fc.constantFrom(
          "application/json",
          "text/plain",
          "application/json; charset=latin1",
          "application/x-www-form-urlencoded",
        ),
        async ([method, path], id, body, who, type) => {
          count++;
          const token =
            who === "user" ? user : who === "admin" ? admin : who === "garbage" ? "a.b.c" : undefined;
          const res = await api.call(method, path.replace("{id}", id), {
            raw: body,
            headers: { "content-type": type },
            ...(token ? { token } : {}),
          });
          expect(res.status, `${method} ${path} ${body.slice(0, 80)}`).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.headers.get("content-type")).toContain("application/problem+json");
            const parsed = ProblemSchema.safeParse(res.body);
            expect(parsed.success, JSON.stringify(res.body)).toBe(true);
            expect(res.body.detail.length).toBeGreaterThan(5);
          }
        },
      ),
      { numRuns: 2000 },
    );
    expect(count).toBe(2000);
    expect((await api.get("/healthz")).status).toBe(200);
    expect(server.context.errors.list().filter((e) => e.kind === "internal")).toEqual([]);
  }, 180_000);
});

import { type AccessClaims, createAccessTokens, isTokenError, KeySet, TokenError } from "@mpvstream/token";
import { beforeAll, describe, expect, it } from "vitest";
import { expectCode } from "./helpers.js";

let keys: KeySet;
let now = 1_750_000_000_000;
const clock = () => now;
const base = () => ({ keys, issuer: "https://tv.example", audience: "mpvstream", clock });

beforeAll(async () => {
  keys = await KeySet.generate();
});

describe("createAccessTokens", () => {
  it("signs the claims of the issue with a 900 s default lifetime", async () => {
    const signed = await createAccessTokens(base()).sign({ sub: "u1", role: "user" });
    expect(signed.expiresIn).toBe(900);
    expect(signed.claims).toMatchObject({
      iss: "https://tv.example",
      aud: "mpvstream",
      sub: "u1",
      role: "user",
    });
    expect(signed.claims.exp - signed.claims.iat).toBe(900);
    expect(signed.claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    const again = await createAccessTokens(base()).sign({ sub: "u1", role: "user" });
    expect(again.claims.jti).not.toBe(signed.claims.jti);
  });

  it("repeat verification is served from the cache and returns the same claims", async () => {
    const tokens = createAccessTokens(base());
    const { token, claims } = await tokens.sign({ sub: "u1", role: "user" });
    const first = await tokens.verify(token);
    const second = await tokens.verify(token);
    expect(first).toEqual(claims);
    expect(second).toBe(first);
    expect(Object.isFrozen(second)).toBe(true);
    expect(tokens.stats).toEqual({ hits: 1, misses: 1, size: 1 });
  });

  it("a cached token is never served past its exp", async () => {
    const tokens = createAccessTokens({ ...base(), ttlSeconds: 60, leewaySeconds: 0 });
    const { token } = await tokens.sign({ sub: "u1", role: "user" });
    await tokens.verify(token);
    now += 59_000;
    await expect(tokens.verify(token)).resolves.toMatchObject({ sub: "u1" });
    now += 1_000;
    await expectCode(tokens.verify(token), "expired");
    expect(tokens.stats.size).toBe(0);
  });

  it("isDenied refuses a revoked jti and tokens issued before a user's logout, cached or not", async () => {
    const revoked = new Set<string>();
    const loggedOutAt = new Map<string, number>();
    const isDenied = (c: AccessClaims) => revoked.has(c.jti) || c.iat <= (loggedOutAt.get(c.sub) ?? -1);
    const tokens = createAccessTokens({ ...base(), isDenied });
    const a = await tokens.sign({ sub: "alice", role: "user" });
    const b = await tokens.sign({ sub: "bob", role: "user" });
    await tokens.verify(a.token);
    await tokens.verify(b.token);
    revoked.add(a.claims.jti);
    await expectCode(tokens.verify(a.token), "revoked");
    loggedOutAt.set("bob", now / 1000);
    await expectCode(tokens.verify(b.token), "revoked");
    await expectCode(createAccessTokens({ ...base(), isDenied }).verify(b.token), "revoked");
    now += 1000;
    const bobAgain = await tokens.sign({ sub: "bob", role: "user" });
    await expect(tokens.verify(bobAgain.token)).resolves.toMatchObject({ sub: "bob" });
  });

  it("a throwing isDenied rejects the verification instead of throwing synchronously", async () => {
    const failure = new Error("revocation list unavailable");
    let fail = false;
    const tokens = createAccessTokens({
      ...base(),
      isDenied: () => {
        if (fail) throw failure;
        return false;
      },
    });
    const { token } = await tokens.sign({ sub: "u", role: "user" });
    await tokens.verify(token);
    fail = true;
    const cached = tokens.verify(token);
    expect(cached).toBeInstanceOf(Promise);
    await expect(cached).rejects.toBe(failure);
  });

  it("the cache is bounded, and cache: false disables it", async () => {
    const tokens = createAccessTokens({ ...base(), cache: { max: 2 } });
    for (let i = 0; i < 5; i++)
      await tokens.verify((await tokens.sign({ sub: `u${i}`, role: "user" })).token);
    expect(tokens.stats.size).toBe(2);
    const uncached = createAccessTokens({ ...base(), cache: false });
    const { token } = await uncached.sign({ sub: "u", role: "user" });
    await uncached.verify(token);
    await uncached.verify(token);
    expect(uncached.stats).toEqual({ hits: 0, misses: 2, size: 0 });
  });

  it("failed verifications are not cached", async () => {
    const tokens = createAccessTokens(base());
    const other = createAccessTokens({ ...base(), audience: "elsewhere" });
    const { token } = await other.sign({ sub: "u", role: "user" });
    await expectCode(tokens.verify(token), "wrong_audience");
    await expectCode(tokens.verify(token), "wrong_audience");
    expect(tokens.stats).toEqual({ hits: 0, misses: 2, size: 0 });
  });

  it("roles restrict what is signed and what is accepted", async () => {
    const open = createAccessTokens(base());
    const strict = createAccessTokens({ ...base(), roles: ["user", "admin"] as const });
    const root = await open.sign({ sub: "u", role: "root" });
    await expectCode(strict.verify(root.token), "invalid_claim");
    await expectCode(strict.sign({ sub: "u", role: "root" as "user" }), "invalid_options");
    await expect(
      strict.verify((await strict.sign({ sub: "u", role: "admin" })).token),
    ).resolves.toMatchObject({ role: "admin" });
  });

  it.each([
    ["empty issuer", { issuer: "" }],
    ["empty audience", { audience: "" }],
    ["ttl 0", { ttlSeconds: 0 }],
    ["fractional ttl", { ttlSeconds: 1.5 }],
    ["negative leeway", { leewaySeconds: -1 }],
    ["leeway 61", { leewaySeconds: 61 }],
    ["cache max -1", { cache: { max: -1 } }],
  ])("refuses options with %s", (_name, patch) => {
    expect(() => createAccessTokens({ ...base(), ...patch })).toThrow(TokenError);
  });

  it("isTokenError is duck-typed on name and code", () => {
    expect(isTokenError(new TokenError("expired", "x"))).toBe(true);
    const foreign = Object.assign(new Error("x"), { name: "TokenError", code: "expired" });
    expect(isTokenError(foreign)).toBe(true);
    expect(isTokenError(new Error("x"))).toBe(false);
    expect(isTokenError({ name: "TokenError", code: "expired" })).toBe(false);
    expect(isTokenError(undefined)).toBe(false);
  });
});

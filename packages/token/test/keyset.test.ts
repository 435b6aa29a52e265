import { createAccessTokens, generateSigningKey, KeySet } from "@mpvstream/token";
import { describe, expect, it } from "vitest";
import { expectCode } from "./helpers.js";

const options = { issuer: "https://tv.example", audience: "mpvstream" };

describe("KeySet", () => {
  it("rotation: the old key verifies until retired, then its tokens are refused (cached ones too)", async () => {
    const keys = await KeySet.generate({ kid: "old" });
    const tokens = createAccessTokens({ keys, ...options });
    const before = (await tokens.sign({ sub: "u1", role: "user" })).token;
    await tokens.verify(before); // now cached

    const next = await keys.rotate();
    expect(keys.active).toBe(next);
    expect(next.alg).toBe("EdDSA");
    const after = await tokens.sign({ sub: "u1", role: "user" });
    expect(JSON.parse(Buffer.from(after.token.split(".")[0] ?? "", "base64url").toString())).toMatchObject({
      kid: next.kid,
      typ: "at+jwt",
      alg: "EdDSA",
    });
    await expect(tokens.verify(before)).resolves.toMatchObject({ sub: "u1" });
    // a fresh verifier (no cache) also accepts the old key's token
    await expect(createAccessTokens({ keys, ...options, cache: false }).verify(before)).resolves.toBeTruthy();

    expect(keys.retire("old")).toBe(true);
    await expectCode(tokens.verify(before), "unknown_key");
    await expect(tokens.verify(after.token)).resolves.toMatchObject({ sub: "u1" });
    expect(keys.retire("old")).toBe(false);
  });

  it("the active key cannot be retired", async () => {
    const keys = await KeySet.generate();
    await expectCode(() => keys.retire(keys.active.kid), "invalid_options");
  });

  it("persists: toJSON -> JSON -> fromJSON keeps every key and the active one; tokens verify across", async () => {
    const keys = await KeySet.generate({ kid: "a" });
    await keys.rotate({ kid: "b" });
    const token = (await createAccessTokens({ keys, ...options }).sign({ sub: "u9", role: "admin" })).token;
    const json = JSON.parse(JSON.stringify(keys));
    expect(json.active).toBe("b");
    expect(json.keys.map((k: { kid: string }) => k.kid)).toEqual(["a", "b"]);
    const loaded = await KeySet.fromJSON(json);
    expect(loaded.active.kid).toBe("b");
    await expect(createAccessTokens({ keys: loaded, ...options }).verify(token)).resolves.toMatchObject({
      sub: "u9",
    });
  });

  it("publishes only public Ed25519 keys", async () => {
    const keys = KeySet.of([
      await generateSigningKey({ alg: "HS256", kid: "h" }),
      await generateSigningKey({ kid: "e" }),
    ]);
    const jwks = keys.publicJwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kid: "e", kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    expect(JSON.stringify(jwks)).not.toMatch(/"d"|"k"/);
  });

  it("HS256 key sets sign, persist and rotate as HS256", async () => {
    const keys = await KeySet.generate({ alg: "HS256" });
    const rotated = await keys.rotate();
    expect(rotated.alg).toBe("HS256");
    const loaded = await KeySet.fromJSON(keys.toJSON());
    const token = (await createAccessTokens({ keys, ...options }).sign({ sub: "u", role: "user" })).token;
    await expect(createAccessTokens({ keys: loaded, ...options }).verify(token)).resolves.toMatchObject({
      sub: "u",
    });
  });

  it("logging a key or a key set shows no private material", async () => {
    const keys = await KeySet.generate({ alg: "HS256" });
    const { inspect } = await import("node:util");
    const secret = keys.toJSON().keys[0]?.k ?? "";
    expect(secret.length).toBeGreaterThan(40);
    expect(inspect(keys.active, { depth: 5 })).not.toContain(secret);
    expect(inspect(keys, { depth: 5 })).not.toContain(secret);
  });

  it.each([
    ["not an object", "keys"],
    ["no keys", { active: "a", keys: [] }],
    ["no active", { keys: [{ kty: "oct", k: "A".repeat(43), kid: "a", alg: "HS256" }] }],
    [
      "active not in the set",
      { active: "b", keys: [{ kty: "oct", k: "A".repeat(43), kid: "a", alg: "HS256" }] },
    ],
    [
      "duplicate kid",
      {
        active: "a",
        keys: [
          { kty: "oct", k: "A".repeat(43), kid: "a", alg: "HS256" },
          { kty: "oct", k: "B".repeat(43), kid: "a", alg: "HS256" },
        ],
      },
    ],
    ["no kid", { active: "a", keys: [{ kty: "oct", k: "A".repeat(43), alg: "HS256" }] }],
    ["no alg", { active: "a", keys: [{ kty: "oct", k: "A".repeat(43), kid: "a" }] }],
    ["alg RS256", { active: "a", keys: [{ kty: "oct", k: "A".repeat(43), kid: "a", alg: "RS256" }] }],
    [
      "HS256 secret of 16 bytes",
      { active: "a", keys: [{ kty: "oct", k: "A".repeat(22), kid: "a", alg: "HS256" }] },
    ],
    [
      "EdDSA with an oct key",
      { active: "a", keys: [{ kty: "oct", k: "A".repeat(43), kid: "a", alg: "EdDSA" }] },
    ],
    [
      "EdDSA without d",
      {
        active: "a",
        keys: [
          {
            kty: "OKP",
            crv: "Ed25519",
            x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            kid: "a",
            alg: "EdDSA",
          },
        ],
      },
    ],
    [
      "use enc",
      { active: "a", keys: [{ kty: "oct", k: "A".repeat(43), kid: "a", alg: "HS256", use: "enc" }] },
    ],
  ])("fromJSON refuses %s with invalid_key", async (_name, json) => {
    await expectCode(KeySet.fromJSON(json), "invalid_key");
  });
});

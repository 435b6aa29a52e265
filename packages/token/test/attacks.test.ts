import { createAccessTokens, KeySet, type SigningKey } from "@mpvstream/token";
import { CompactSign, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { b64, expectCode, hs256 } from "./helpers.js";

const NOW = 1_750_000_000_000;
const ISS = "https://tv.example";
const AUD = "mpvstream";
let keys: KeySet;
let key: SigningKey;
let good: string;
const claims = () => ({
  iss: ISS,
  aud: AUD,
  sub: "u1",
  role: "user",
  jti: "j1",
  iat: NOW / 1000,
  exp: NOW / 1000 + 900,
});
const tokens = () => createAccessTokens({ keys, issuer: ISS, audience: AUD, clock: () => NOW });

/** Signs arbitrary header and claims with our own active key, as a confused or compromised issuer would. */
const ours = (header: Record<string, unknown>, payload: Record<string, unknown>) =>
  new SignJWT(payload).setProtectedHeader({ alg: "EdDSA", kid: key.kid, ...header }).sign(key.signingKey);

beforeAll(async () => {
  keys = await KeySet.generate({ kid: "k1" });
  key = keys.active;
  good = (await tokens().sign({ sub: "u1", role: "user" })).token;
});

describe("attack matrix: each forged or broken token is refused with its code", () => {
  const cases: Array<[string, () => Promise<string>, string]> = [
    [
      "alg none",
      async () => `${b64({ alg: "none", kid: "k1", typ: "at+jwt" })}.${b64(claims())}.`,
      "alg_not_allowed",
    ],
    [
      "alg RS256 (not in the allowlist)",
      async () => hs256({ alg: "RS256", kid: "k1", typ: "at+jwt" }, claims(), "x"),
      "alg_not_allowed",
    ],
    [
      "HS256 signed with the Ed25519 public key (algorithm confusion)",
      async () =>
        hs256(
          { alg: "HS256", kid: "k1", typ: "at+jwt" },
          claims(),
          Buffer.from(key.publicJwk()?.x ?? "", "base64url"),
        ),
      "alg_not_allowed",
    ],
    [
      "HS256 signed with the public JWK as text",
      async () =>
        hs256({ alg: "HS256", kid: "k1", typ: "at+jwt" }, claims(), JSON.stringify(key.publicJwk())),
      "alg_not_allowed",
    ],
    ["unknown kid", async () => ours({ kid: "k2", typ: "at+jwt" }, claims()), "unknown_key"],
    [
      "injected kid (path)",
      async () => ours({ kid: "../../../dev/null", typ: "at+jwt" }, claims()),
      "unknown_key",
    ],
    ["injected kid (SQL)", async () => ours({ kid: "' OR 1=1 --", typ: "at+jwt" }, claims()), "unknown_key"],
    ["kid of another type", async () => ours({ kid: 1, typ: "at+jwt" }, claims()), "unknown_key"],
    ["no kid", async () => ours({ kid: undefined, typ: "at+jwt" }, claims()), "unknown_key"],
    [
      "jku pointing elsewhere, signed by the attacker, claiming our kid",
      async () => {
        const attacker = await generateKeyPair("EdDSA");
        return new SignJWT(claims())
          .setProtectedHeader({
            alg: "EdDSA",
            kid: "k1",
            typ: "at+jwt",
            jku: "https://evil.example/jwks.json",
          })
          .sign(attacker.privateKey);
      },
      "bad_signature",
    ],
    [
      "embedded jwk of the attacker's key",
      async () => {
        const attacker = await generateKeyPair("EdDSA", { extractable: true });
        const { exportJWK } = await import("jose");
        return new SignJWT(claims())
          .setProtectedHeader({
            alg: "EdDSA",
            kid: "k1",
            typ: "at+jwt",
            jwk: await exportJWK(attacker.publicKey),
          })
          .sign(attacker.privateKey);
      },
      "bad_signature",
    ],
    ["expired", async () => ours({ typ: "at+jwt" }, { ...claims(), exp: NOW / 1000 - 6 }), "expired"],
    [
      "not yet valid (nbf)",
      async () => ours({ typ: "at+jwt" }, { ...claims(), nbf: NOW / 1000 + 60 }),
      "not_yet_valid",
    ],
    [
      "issued in the future (iat)",
      async () => ours({ typ: "at+jwt" }, { ...claims(), iat: NOW / 1000 + 60 }),
      "not_yet_valid",
    ],
    [
      "wrong iss",
      async () => ours({ typ: "at+jwt" }, { ...claims(), iss: "https://evil.example" }),
      "wrong_issuer",
    ],
    [
      "wrong aud",
      async () => ours({ typ: "at+jwt" }, { ...claims(), aud: "other-service" }),
      "wrong_audience",
    ],
    ["no aud", async () => ours({ typ: "at+jwt" }, { ...claims(), aud: undefined }), "wrong_audience"],
    ["no exp", async () => ours({ typ: "at+jwt" }, { ...claims(), exp: undefined }), "missing_claim"],
    ["no sub", async () => ours({ typ: "at+jwt" }, { ...claims(), sub: undefined }), "missing_claim"],
    [
      "role not a string",
      async () => ours({ typ: "at+jwt" }, { ...claims(), role: ["admin"] }),
      "invalid_claim",
    ],
    ["typ JWT", async () => ours({ typ: "JWT" }, claims()), "wrong_type"],
    ["typ of a refresh token", async () => ours({ typ: "rt+jwt" }, claims()), "wrong_type"],
    ["no typ", async () => ours({}, claims()), "wrong_type"],
    [
      "tampered payload (role admin)",
      async () => {
        const [h, , s] = good.split(".");
        return `${h}.${b64({ ...JSON.parse(Buffer.from(good.split(".")[1] ?? "", "base64url").toString()), role: "admin" })}.${s}`;
      },
      "bad_signature",
    ],
    [
      "tampered signature",
      async () =>
        `${good.slice(0, good.lastIndexOf(".") + 1)}${good.at(-86) === "A" ? "B" : "A"}${good.slice(-85)}`,
      "bad_signature",
    ],
    [
      "signature of another token",
      async () =>
        `${good.slice(0, good.lastIndexOf("."))}.${(await ours({ typ: "at+jwt" }, claims())).split(".")[2]}`,
      "bad_signature",
    ],
    ["truncated signature", async () => good.slice(0, -10), "malformed"],
    ["truncated to two parts", async () => good.slice(0, good.lastIndexOf(".")), "malformed"],
    ["extra segment", async () => `${good}.e30`, "malformed"],
    ["JWE-like five parts", async () => `${good}.a.b`, "malformed"],
    ["whitespace", async () => ` ${good}`, "malformed"],
    [
      "padding",
      async () => `${good.slice(0, good.indexOf("."))}=${good.slice(good.indexOf("."))}`,
      "malformed",
    ],
    ["empty", async () => "", "malformed"],
    ["huge", async () => `${good}${"A".repeat(10_000)}`, "malformed"],
    ["header not JSON", async () => `${b64("not json")}.${b64(claims())}.${good.split(".")[2]}`, "malformed"],
    ["header a JSON array", async () => `${b64([1])}.${b64(claims())}.${good.split(".")[2]}`, "malformed"],
    [
      "payload not JSON, signed by our key",
      async () =>
        new CompactSign(new TextEncoder().encode("not json"))
          .setProtectedHeader({ alg: "EdDSA", kid: "k1", typ: "at+jwt" })
          .sign(key.signingKey),
      "malformed",
    ],
  ];

  it.each(cases)("%s -> refused", async (_name, make, code) => {
    await expectCode(tokens().verify(await make()), code);
  });

  it("the untampered token and a correctly signed forged-claims token verify (the matrix is not vacuous)", async () => {
    await expect(tokens().verify(good)).resolves.toMatchObject({ sub: "u1", role: "user" });
    await expect(tokens().verify(await ours({ typ: "at+jwt" }, claims()))).resolves.toMatchObject({
      jti: "j1",
    });
  });

  it("an expiry within the 5 s leeway is accepted, at 6 s past it is refused", async () => {
    const edge = await ours({ typ: "at+jwt" }, { ...claims(), exp: NOW / 1000 - 4 });
    await expect(tokens().verify(edge)).resolves.toMatchObject({ sub: "u1" });
    await expectCode(
      tokens().verify(await ours({ typ: "at+jwt" }, { ...claims(), exp: NOW / 1000 - 6 })),
      "expired",
    );
  });

  it("a token made for HS256 keys does not verify against an EdDSA key set and vice versa", async () => {
    const hmacKeys = await KeySet.generate({ alg: "HS256", kid: "k1" });
    const hmac = createAccessTokens({ keys: hmacKeys, issuer: ISS, audience: AUD, clock: () => NOW });
    const { token } = await hmac.sign({ sub: "u1", role: "user" });
    await expect(hmac.verify(token)).resolves.toMatchObject({ sub: "u1" });
    await expectCode(tokens().verify(token), "alg_not_allowed");
    await expectCode(hmac.verify(good), "alg_not_allowed");
  });

  it("leeway above 60 s is refused", () => {
    expect(() => createAccessTokens({ keys, issuer: ISS, audience: AUD, leewaySeconds: 61 })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });
});

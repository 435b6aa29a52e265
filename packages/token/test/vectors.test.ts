// Sources, not the package name: this file also drives the internal verifier, whose types must match.

import { CompactSign, compactVerify } from "jose";
import { describe, expect, it } from "vitest";
import { createAccessTokens, importSigningKey, KeySet } from "../src/index.js";
import { verifyJwt } from "../src/internal/verify-jws.js";
import { expectCode } from "./helpers.js";

describe("RFC 7515 appendix A.1 (HS256)", () => {
  const jwk = {
    kty: "oct",
    k: "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
    kid: "rfc7515",
    alg: "HS256",
  };
  const token =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" +
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ" +
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const policy = { typ: "JWT", issuer: "joe", audience: "mpvstream", leewaySeconds: 0 };

  it("the signature verifies with the imported key", async () => {
    const key = await importSigningKey(jwk);
    const { payload } = await compactVerify(token, key.verificationKey, { algorithms: ["HS256"] });
    expect(new TextDecoder().decode(payload)).toContain('"iss":"joe"');
  });

  it("is refused for its missing aud, before and after its exp (presence is checked first)", async () => {
    const key = await importSigningKey(jwk);
    await expectCode(
      verifyJwt(token, () => key, { ...policy, now: 1_300_819_370_000 }),
      "wrong_audience",
    );
    await expectCode(
      verifyJwt(token, () => key, { ...policy, now: 1_300_819_381_000 }),
      "wrong_audience",
    );
  });

  it("is refused as expired after 2011-03-22T18:43:00Z once aud is not required", async () => {
    const key = await importSigningKey(jwk);
    // jose only requires aud when an audience is expected; without one, exp is what refuses it.
    const { jwtVerify } = await import("jose");
    const at = (seconds: number) =>
      jwtVerify(token, key.verificationKey, { currentDate: new Date(seconds * 1000) });
    await expect(at(1_300_819_370)).resolves.toBeTruthy();
    await expect(at(1_300_819_381)).rejects.toMatchObject({ code: "ERR_JWT_EXPIRED" });
  });

  it("is refused by access-token verification (no kid, typ JWT)", async () => {
    const keys = KeySet.of([await importSigningKey(jwk)]);
    const tokens = createAccessTokens({ keys, issuer: "joe", audience: "x", clock: () => 1_300_819_370_000 });
    await expectCode(tokens.verify(token), "wrong_type");
  });
});

describe("RFC 8037 appendix A.4 (Ed25519)", () => {
  const jwk = {
    kty: "OKP",
    crv: "Ed25519",
    d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    kid: "rfc8037",
    alg: "EdDSA",
  };
  const jws =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc" +
    ".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

  it("signing the example payload gives the exact JWS of the RFC", async () => {
    const key = await importSigningKey(jwk);
    const signed = await new CompactSign(new TextEncoder().encode("Example of Ed25519 signing"))
      .setProtectedHeader({ alg: "EdDSA" })
      .sign(key.signingKey);
    expect(signed).toBe(jws);
  });

  it("the RFC's JWS verifies with the public key, and the published JWK is the RFC's", async () => {
    const key = await importSigningKey(jwk);
    const { payload } = await compactVerify(jws, key.verificationKey, { algorithms: ["EdDSA"] });
    expect(new TextDecoder().decode(payload)).toBe("Example of Ed25519 signing");
    expect(key.publicJwk()).toEqual({
      kty: "OKP",
      crv: "Ed25519",
      x: jwk.x,
      kid: "rfc8037",
      alg: "EdDSA",
      use: "sig",
    });
  });

  it("a key whose d does not match x is refused on import", async () => {
    const other = { ...jwk, x: "oCrDAORpcIvqR1btoXS8T_y_R0So67fauYd9bB701Kc" };
    await expectCode(importSigningKey(other), "invalid_key");
  });
});

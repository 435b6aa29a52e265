import { stat } from "node:fs/promises";
import { join } from "node:path";
import { KeySet } from "@mpvstream/token";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS_FILE, loadOrCreateKeys, rotateKeys } from "../src/auth/keys.js";
import { hashPassword, OWASP_SCRYPT, verifyPassword } from "../src/auth/passwords.js";
import { ADMIN, BACKENDS, http, type TestServer, testServer } from "./helpers.js";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("passwords", () => {
  it("hash with scrypt at the OWASP parameters and verify in constant time", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^scrypt\$17\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(OWASP_SCRYPT).toEqual({ log2N: 17, r: 8, p: 1 });
    expect(await verifyPassword("correct horse battery", stored)).toBe(true);
    expect(await verifyPassword("correct horse batterY", stored)).toBe(false);
    expect(await verifyPassword("x", "not-a-hash")).toBe(false);
    expect(await verifyPassword("x", "scrypt$40$8$1$AA$AA")).toBe(false);
  });
});

describe.each(BACKENDS)("auth on %s", (kind) => {
  let server: TestServer;
  let api: ReturnType<typeof http>;
  let now = Date.now();

  beforeAll(async () => {
    server = await testServer(kind, {}, { clock: () => now });
    api = http(server.url);
  });
  afterAll(() => server.stop());

  it("logs in (email in any case) and refuses wrong credentials with 401 invalid_credentials", async () => {
    const login = await api.post("/auth/login", {
      email: ADMIN.email.toUpperCase(),
      password: ADMIN.password,
    });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({
      token_type: "Bearer",
      expires_in: 900,
      user: { email: ADMIN.email, role: "admin" },
    });
    expect(login.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const wrong = await api.post("/auth/login", { email: ADMIN.email, password: "wrong-password" });
    expect([wrong.status, wrong.body.code]).toEqual([401, "invalid_credentials"]);
    const nobody = await api.post("/auth/login", {
      email: "nobody@example.test",
      password: "wrong-password",
    });
    expect([nobody.status, nobody.body.code]).toEqual([401, "invalid_credentials"]);
    expect(nobody.body.detail).toBe(wrong.body.detail);
  });

  it("rotates refresh tokens; reusing an old one revokes the whole family", async () => {
    const first = await api.login(ADMIN.email, ADMIN.password);
    const second = await api.post("/auth/refresh", { refresh_token: first.refresh_token });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect((await api.get("/me", second.body.access_token)).status).toBe(200);
    const third = await api.post("/auth/refresh", { refresh_token: second.body.refresh_token });
    expect(third.status).toBe(200);
    const reuse = await api.post("/auth/refresh", { refresh_token: first.refresh_token });
    expect([reuse.status, reuse.body.code]).toEqual([401, "invalid_token"]);
    // The newest token of the family is dead too.
    expect((await api.post("/auth/refresh", { refresh_token: third.body.refresh_token })).status).toBe(401);
    // Another login (another family) is untouched.
    const other = await api.login(ADMIN.email, ADMIN.password);
    expect((await api.post("/auth/refresh", { refresh_token: other.refresh_token })).status).toBe(200);
  });

  it("logout revokes the refresh token; unknown or malformed ones answer 204 / 401 as they should", async () => {
    const login = await api.login(ADMIN.email, ADMIN.password);
    expect((await api.post("/auth/logout", { refresh_token: login.refresh_token })).status).toBe(204);
    expect((await api.post("/auth/refresh", { refresh_token: login.refresh_token })).status).toBe(401);
    expect((await api.post("/auth/logout", { refresh_token: "A".repeat(43) })).status).toBe(204);
    expect((await api.post("/auth/refresh", { refresh_token: "nonsense" })).body.code).toBe("invalid_token");
  });

  it("expires refresh tokens after their lifetime", async () => {
    const login = await api.login(ADMIN.email, ADMIN.password);
    const saved = now;
    now += 31 * 86_400_000;
    expect((await api.post("/auth/refresh", { refresh_token: login.refresh_token })).body.code).toBe(
      "invalid_token",
    );
    now = saved;
  });

  it("refuses token attacks over HTTP with 401", async () => {
    const login = await api.login(ADMIN.email, ADMIN.password);
    const [header, payload] = login.access_token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const keys = await KeySet.fromJSON(
      JSON.parse(
        await (await import("node:fs/promises")).readFile(
          join(server.context.config.dataDir, KEYS_FILE),
          "utf8",
        ),
      ),
    );
    const kid = keys.active.kid;
    const foreign = await KeySet.generate();
    const sign = (key: CryptoKey, protectedHeader: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader(protectedHeader as { alg: string }).sign(key);
    const attacks: Record<string, string> = {
      "alg none": `${b64({ alg: "none", typ: "at+jwt", kid })}.${payload}.`,
      "wrong key, unknown kid": await sign(foreign.active.signingKey, {
        alg: "EdDSA",
        typ: "at+jwt",
        kid: foreign.active.kid,
      }),
      "wrong key, our kid": await sign(foreign.active.signingKey, { alg: "EdDSA", typ: "at+jwt", kid }),
      "wrong typ": await sign(keys.active.signingKey, { alg: "EdDSA", typ: "JWT", kid }),
      "HS256 with the public key": await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid })
        .sign(new TextEncoder().encode(JSON.stringify(keys.active.publicJwk()))),
      "tampered payload": `${header}.${b64({ ...claims, role: "admin", sub: "someone-else" })}.${login.access_token.split(".")[2]}`,
      truncated: login.access_token.slice(0, -5),
      "refresh token as access token": login.refresh_token,
    };
    for (const [name, token] of Object.entries(attacks)) {
      const res = await api.get("/me", token);
      expect([name, res.status, res.body.code]).toEqual([name, 401, "invalid_token"]);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
    }
    const none = await api.get("/me");
    expect([none.status, none.body.code]).toEqual([401, "unauthorized"]);
    const basic = await api.call("GET", "/me", { headers: { authorization: "Basic abc" } });
    expect([basic.status, basic.body.code]).toEqual([401, "invalid_token"]);
    // Expired: past the 900 s lifetime plus the 5 s leeway.
    const saved = now;
    now += 906_000;
    const expired = await api.get("/me", login.access_token);
    expect([expired.status, expired.body.code, expired.body.detail]).toEqual([
      401,
      "invalid_token",
      "The access token has expired; refresh it.",
    ]);
    now = saved;
    expect((await api.get("/me", login.access_token)).status).toBe(200);
  });
});

describe("signing keys", () => {
  it("are created once in DATA_DIR with mode 0600 and rotate keeping the previous key", async () => {
    const dir = await (await import("node:fs/promises")).mkdtemp(
      join((await import("node:os")).tmpdir(), "keys-"),
    );
    const first = await loadOrCreateKeys(dir);
    expect((await stat(join(dir, KEYS_FILE))).mode & 0o777).toBe(0o600);
    expect((await loadOrCreateKeys(dir)).active.kid).toBe(first.active.kid);
    const rotated = await rotateKeys(dir);
    const after = await loadOrCreateKeys(dir);
    expect(after.active.kid).toBe(rotated.active);
    expect(after.get(first.active.kid)).toBeDefined();
    const again = await rotateKeys(dir);
    expect(again.retired).toEqual([first.active.kid]);
    expect((await stat(join(dir, KEYS_FILE))).mode & 0o777).toBe(0o600);
    await (await import("node:fs/promises")).rm(dir, { recursive: true });
  });
});

import { describe, expect, it } from "vitest";
import {
  checkRefreshToken,
  createRefreshToken,
  hashRefreshToken,
  type RefreshTokenRecord,
  type RefreshTokenStore,
  rotateRefreshToken,
  verifyRefreshToken,
} from "../src/node.js";
import { expectCode } from "./helpers.js";

/** The caller's store, in memory: rows keyed by hash, consume marks atomically (single-threaded JS). */
class MemoryStore implements RefreshTokenStore {
  readonly rows = new Map<string, RefreshTokenRecord>();
  async consume(hash: string, now: number) {
    const row = this.rows.get(hash);
    if (!row) return undefined;
    const before = { ...row };
    row.rotatedAt ??= now;
    return before;
  }
  async revokeFamily(family: string) {
    for (const row of this.rows.values()) if (row.family === family) row.revokedAt ??= 1;
  }
}

describe("refresh tokens", () => {
  it("are 256 random bits in base64url, stored as a SHA-256 hash", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const { token, hash } = createRefreshToken();
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, "base64url")).toHaveLength(32);
      expect(hash).toBe(hashRefreshToken(token));
      expect(hash).not.toBe(token);
      seen.add(token);
    }
    expect(seen.size).toBe(1000);
  });

  it("verifyRefreshToken compares against the stored hash", () => {
    const a = createRefreshToken();
    const b = createRefreshToken();
    expect(verifyRefreshToken(a.token, a.hash)).toBe(true);
    expect(verifyRefreshToken(b.token, a.hash)).toBe(false);
    expect(verifyRefreshToken("short", a.hash)).toBe(false);
    expect(verifyRefreshToken(a.token, "")).toBe(false);
  });

  it.each(["", "x", "A".repeat(44), `${"A".repeat(42)}B`, `${"A".repeat(42)}=`, "eyJ.eyJ.sig"])(
    "hashRefreshToken refuses %j as malformed",
    async (token) => {
      await expectCode(() => hashRefreshToken(token), "malformed");
    },
  );

  it("rotation: each use gives a new token; reusing a rotated one revokes the whole family", async () => {
    const store = new MemoryStore();
    const now = 1_750_000_000_000;
    const clock = () => now;
    const first = createRefreshToken();
    store.rows.set(first.hash, { family: "f1", expiresAt: now / 1000 + 3600 });
    const other = createRefreshToken();
    store.rows.set(other.hash, { family: "f2", expiresAt: now / 1000 + 3600 });

    const step1 = await rotateRefreshToken(first.token, store, { clock });
    expect(step1.record.family).toBe("f1");
    store.rows.set(step1.next.hash, { family: "f1", expiresAt: now / 1000 + 3600 });
    const step2 = await rotateRefreshToken(step1.next.token, store, { clock });
    store.rows.set(step2.next.hash, { family: "f1", expiresAt: now / 1000 + 3600 });

    // the stolen first token comes back
    const reuse = rotateRefreshToken(first.token, store, { clock });
    await expectCode(reuse, "refresh_reused");
    await reuse.catch((error) => expect(error.cause).toEqual({ family: "f1" }));
    // the legitimate holder's current token is now revoked too, the other family is not
    await expectCode(rotateRefreshToken(step2.next.token, store, { clock }), "revoked");
    await expect(rotateRefreshToken(other.token, store, { clock })).resolves.toMatchObject({
      record: { family: "f2" },
    });
  });

  it("unknown and expired tokens are refused", async () => {
    const store = new MemoryStore();
    const now = 1_750_000_000_000;
    await expectCode(
      rotateRefreshToken(createRefreshToken().token, store, { clock: () => now }),
      "refresh_unknown",
    );
    const old = createRefreshToken();
    store.rows.set(old.hash, { family: "f", expiresAt: now / 1000 });
    await expectCode(rotateRefreshToken(old.token, store, { clock: () => now }), "expired");
    await expectCode(rotateRefreshToken("not a token", store), "malformed");
  });

  it("checkRefreshToken narrows a found record", () => {
    const record: RefreshTokenRecord | undefined = { family: "f", expiresAt: 2000, rotatedAt: null };
    checkRefreshToken(record, { clock: () => 1_000_000 });
    expect(record.family).toBe("f");
    expect(() => checkRefreshToken(undefined)).toThrow(expect.objectContaining({ code: "refresh_unknown" }));
  });
});

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createRefreshToken,
  type RefreshTokenRecord,
  type RefreshTokenStore,
  rotateRefreshToken,
} from "../src/node.js";
import { expectCode } from "./helpers.js";

const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const table = `token_refresh_${process.pid}_${Date.now()}`;
const pool = new pg.Pool({ connectionString: url, max: 8 });

/** The store the README documents, on a real PostgreSQL: consume is one atomic statement. */
const store: RefreshTokenStore = {
  async consume(hash, now) {
    const { rows } = await pool.query<{
      family: string;
      expires_at: string;
      revoked_at: string | null;
      rotated_at: string | null;
    }>(
      `UPDATE ${table} t SET rotated_at = COALESCE(t.rotated_at, $2)
         FROM (SELECT hash, rotated_at FROM ${table} WHERE hash = $1 FOR UPDATE) old
        WHERE t.hash = old.hash
        RETURNING t.family, t.expires_at, t.revoked_at, old.rotated_at`,
      [hash, now],
    );
    const row = rows[0];
    if (!row) return undefined;
    const record: RefreshTokenRecord = {
      family: row.family,
      expiresAt: Number(row.expires_at),
      rotatedAt: row.rotated_at === null ? null : Number(row.rotated_at),
      revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    };
    return record;
  },
  async revokeFamily(family) {
    await pool.query(`UPDATE ${table} SET revoked_at = COALESCE(revoked_at, 1) WHERE family = $1`, [family]);
  },
};
const insert = (hash: string, family: string, expiresAt: number) =>
  pool.query(`INSERT INTO ${table} (hash, family, expires_at) VALUES ($1, $2, $3)`, [
    hash,
    family,
    expiresAt,
  ]);

beforeAll(async () => {
  await pool.query(
    `CREATE TABLE ${table} (hash text PRIMARY KEY, family text NOT NULL, expires_at bigint NOT NULL,
       rotated_at bigint, revoked_at bigint)`,
  );
});
afterAll(async () => {
  await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await pool.end();
});

describe("refresh-token rotation on PostgreSQL", () => {
  it("of 8 concurrent uses of one token exactly one rotates; the others are refused and revoke the family", async () => {
    const first = createRefreshToken();
    await insert(first.hash, "fam-a", Math.floor(Date.now() / 1000) + 3600);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => rotateRefreshToken(first.token, store)),
    );
    const won = results.filter((result) => result.status === "fulfilled");
    const lost = results.filter((result) => result.status === "rejected");
    expect(won).toHaveLength(1);
    const codes = lost.map((result) => (result as PromiseRejectedResult).reason.code);
    // a loser that consumes after another loser revoked the family sees "revoked"
    expect(codes.every((code) => code === "refresh_reused" || code === "revoked")).toBe(true);
    expect(codes).toContain("refresh_reused");
    const { rows } = await pool.query(`SELECT revoked_at FROM ${table} WHERE family = 'fam-a'`);
    expect(rows.every((row) => row.revoked_at !== null)).toBe(true);
  });

  it("a chain of rotations works, and an unrelated family is untouched by another's reuse", async () => {
    const expires = Math.floor(Date.now() / 1000) + 3600;
    let current = createRefreshToken();
    await insert(current.hash, "fam-b", expires);
    const other = createRefreshToken();
    await insert(other.hash, "fam-c", expires);
    const used: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { next } = await rotateRefreshToken(current.token, store);
      used.push(current.token);
      await insert(next.hash, "fam-b", expires);
      current = next;
    }
    await expectCode(rotateRefreshToken(used[2] ?? "", store), "refresh_reused");
    await expectCode(rotateRefreshToken(current.token, store), "revoked");
    await expect(rotateRefreshToken(other.token, store)).resolves.toMatchObject({
      record: { family: "fam-c" },
    });
  });
});

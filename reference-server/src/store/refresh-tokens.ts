import type { Queryable } from "../db/database.js";
import { ms, ts } from "./rows.js";

/** A refresh token as stored (by its SHA-256 hash; the token itself is never stored). */
export interface RefreshRecord {
  family: string;
  userId: string;
  expiresAt: number;
  rotatedAt: number | null;
  revokedAt: number | null;
}

interface Row {
  family: string;
  user_id: string;
  expires_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
}

/** Refresh tokens: stored hashed, rotated on use, revoked by family. */
export const refreshTokens = {
  /** Stores a new token of a family. */
  async insert(
    db: Queryable,
    input: { hash: string; family: string; userId: string; expiresAt: number; now: number },
  ) {
    await db.query(
      `INSERT INTO refresh_tokens (hash, family, user_id, expires_at, created_at)
       VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz)`,
      [input.hash, input.family, input.userId, ts(input.expiresAt), ts(input.now)],
    );
  },

  /** Marks the token rotated (if it was not) and returns it as it was before, or `undefined`. */
  async consume(db: Queryable, hash: string, now: number): Promise<RefreshRecord | undefined> {
    const [row] = await db.query<Row>(
      `WITH old AS (SELECT * FROM refresh_tokens WHERE hash = $1 FOR UPDATE)
       UPDATE refresh_tokens r SET rotated_at = COALESCE(r.rotated_at, $2::timestamptz)
       FROM old WHERE r.hash = old.hash
       RETURNING old.family, old.user_id, old.expires_at, old.rotated_at, old.revoked_at`,
      [hash, ts(now)],
    );
    if (!row) return undefined;
    return {
      family: row.family,
      userId: row.user_id,
      expiresAt: ms(row.expires_at),
      rotatedAt: row.rotated_at === null ? null : ms(row.rotated_at),
      revokedAt: row.revoked_at === null ? null : ms(row.revoked_at),
    };
  },

  /** Revokes every token of a family. */
  async revokeFamily(db: Queryable, family: string, now: number) {
    await db.query(
      "UPDATE refresh_tokens SET revoked_at = $2::timestamptz WHERE family = $1 AND revoked_at IS NULL",
      [family, ts(now)],
    );
  },

  /** Revokes the family of the token with this hash (logout); nothing when unknown. */
  async revokeByHash(db: Queryable, hash: string, now: number) {
    await db.query(
      `UPDATE refresh_tokens SET revoked_at = $2::timestamptz
       WHERE family = (SELECT family FROM refresh_tokens WHERE hash = $1) AND revoked_at IS NULL`,
      [hash, ts(now)],
    );
  },

  /** Deletes tokens expired for more than a day. */
  async sweep(db: Queryable, now: number) {
    await db.query("DELETE FROM refresh_tokens WHERE expires_at < $1::timestamptz", [ts(now - 86_400_000)]);
  },
};

import type { Database, Queryable } from "../db/database.js";
import { ms, ts } from "./rows.js";

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/**
 * A key still in flight after this long belongs to a request that died (its instance was killed
 * mid-request, say); a retry may take it over. Short, so that a client failing over to another
 * instance gets its answer soon: a request that was only slow and gets overtaken is safe, since
 * the ledger's unique key lets one debit through and the other request replays its answer.
 */
export const IDEMPOTENCY_STALE_MS = 10_000;

/** What {@link IdempotencyStore.begin} found. */
export type IdempotencyBegin =
  | { state: "new" }
  | { state: "mismatch" }
  | { state: "in_progress" }
  | { state: "done"; status: number; response: unknown };

interface Row {
  request_hash: string;
  status: number | null;
  response: unknown;
  created_at: Date;
}

/** `Idempotency-Key` records, scoped to the user, kept 24 h. */
export class IdempotencyStore {
  readonly #db: Database;

  /** Creates the store over a database. */
  constructor(db: Database) {
    this.#db = db;
  }

  /** Claims a key for a request with this body hash, or says why the request must not run. */
  async begin(userId: string, key: string, requestHash: string, now: number): Promise<IdempotencyBegin> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await this.#db.query(
        `INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4::timestamptz)
         ON CONFLICT (user_id, key) DO NOTHING RETURNING 1`,
        [userId, key, requestHash, ts(now)],
      );
      if (inserted.length > 0) return { state: "new" };
      const [row] = await this.#db.query<Row>(
        "SELECT request_hash, status, response, created_at FROM idempotency_keys WHERE user_id = $1 AND key = $2",
        [userId, key],
      );
      if (!row) continue;
      const age = now - ms(row.created_at);
      if (age > IDEMPOTENCY_TTL_MS) {
        await this.#db.query(
          "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at = $3",
          [userId, key, row.created_at],
        );
        continue;
      }
      if (row.request_hash !== requestHash) return { state: "mismatch" };
      if (row.status !== null) {
        // Kept as text, not jsonb, so that a replay is byte for byte the first answer.
        const response = typeof row.response === "string" ? (JSON.parse(row.response) as unknown) : null;
        return { state: "done", status: Number(row.status), response };
      }
      if (age <= IDEMPOTENCY_STALE_MS) return { state: "in_progress" };
      const taken = await this.#db.query(
        `UPDATE idempotency_keys SET created_at = $3::timestamptz
         WHERE user_id = $1 AND key = $2 AND status IS NULL AND created_at = $4 RETURNING 1`,
        [userId, key, ts(now), row.created_at],
      );
      if (taken.length > 0) return { state: "new" };
    }
    return { state: "in_progress" };
  }

  /** Records the answer of a claimed key (inside the request's transaction when it moved points). */
  async complete(
    db: Queryable,
    userId: string,
    key: string,
    status: number,
    response: unknown,
  ): Promise<void> {
    await db.query("UPDATE idempotency_keys SET status = $3, response = $4 WHERE user_id = $1 AND key = $2", [
      userId,
      key,
      status,
      JSON.stringify(response ?? null),
    ]);
  }

  /** Releases a claimed key whose request failed in a way worth retrying (5xx, 429). */
  async abandon(userId: string, key: string): Promise<void> {
    await this.#db.query("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status IS NULL", [
      userId,
      key,
    ]);
  }

  /** Forgets keys older than 24 h. */
  async sweep(now: number): Promise<void> {
    await this.#db.query("DELETE FROM idempotency_keys WHERE created_at < $1::timestamptz", [
      ts(now - IDEMPOTENCY_TTL_MS),
    ]);
  }
}

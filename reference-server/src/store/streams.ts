import type { CreateStreamRequest, Stream, StreamState, UpdateStreamRequest } from "@mpvstream/core";
import type { Database } from "../db/database.js";
import { isUniqueViolation, type StreamRow, toStream, ts } from "./rows.js";

const SELECT = `SELECT s.*, (SELECT count(*) FROM sessions x
  WHERE x.stream_id = s.id AND x.ended_at IS NULL AND x.expires_at > $1::timestamptz) AS viewers
  FROM streams s`;

/** Stream records: what the API shows and what the pipeline (issue 8) drives. */
export class StreamStore {
  readonly #db: Database;

  /** Creates the store over a database. */
  constructor(db: Database) {
    this.#db = db;
  }

  /** Every stream, by id, with its current viewers (active sessions). */
  async list(now: number): Promise<Stream[]> {
    const rows = await this.#db.query<StreamRow>(`${SELECT} ORDER BY s.id`, [ts(now)]);
    return rows.map(toStream);
  }

  /** One stream, or `undefined`. */
  async get(id: string, now: number): Promise<Stream | undefined> {
    const [row] = await this.#db.query<StreamRow>(`${SELECT} WHERE s.id = $2`, [ts(now), id]);
    return row ? toStream(row) : undefined;
  }

  /** Creates an offline stream; `undefined` when the id is taken. */
  async create(input: CreateStreamRequest, now: number): Promise<Stream | undefined> {
    try {
      await this.#db.query(
        `INSERT INTO streams (id, title, state, points_per_minute, source, created_at, updated_at)
         VALUES ($1, $2, 'offline', $3, $4::jsonb, $5::timestamptz, $5::timestamptz)`,
        [input.id, input.title, input.points_per_minute, JSON.stringify(input.source), ts(now)],
      );
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
    return this.get(input.id, now);
  }

  /** Changes title, price or source; `undefined` when there is no such stream. */
  async update(id: string, patch: UpdateStreamRequest, now: number): Promise<Stream | undefined> {
    const rows = await this.#db.query(
      `UPDATE streams SET
         title = COALESCE($2, title),
         points_per_minute = COALESCE($3, points_per_minute),
         source = COALESCE($4::jsonb, source),
         updated_at = $5::timestamptz
       WHERE id = $1 RETURNING id`,
      [
        id,
        patch.title ?? null,
        patch.points_per_minute ?? null,
        patch.source === undefined ? null : JSON.stringify(patch.source),
        ts(now),
      ],
    );
    return rows.length === 0 ? undefined : this.get(id, now);
  }

  /** Deletes an offline stream: `"deleted"`, `"not_found"`, or the state that prevents it. */
  async delete(id: string): Promise<"deleted" | "not_found" | StreamState> {
    const rows = await this.#db.query(
      "DELETE FROM streams WHERE id = $1 AND state = 'offline' RETURNING id",
      [id],
    );
    if (rows.length > 0) return "deleted";
    const [row] = await this.#db.query<{ state: StreamState }>("SELECT state FROM streams WHERE id = $1", [
      id,
    ]);
    return row ? row.state : "not_found";
  }

  /**
   * Moves a stream from `from` to `to` if it is still in `from` (compare-and-set), recording
   * `lastError` (kept on `error`, cleared on `live` and `offline`). Resolves with whether it moved.
   */
  async transition(
    id: string,
    from: StreamState,
    to: StreamState,
    now: number,
    lastError?: string,
  ): Promise<boolean> {
    const rows = await this.#db.query(
      `UPDATE streams SET state = $3, updated_at = $4::timestamptz,
         last_error = CASE WHEN $5::text IS NOT NULL THEN $5::text
                           WHEN $3 IN ('live', 'offline') THEN NULL ELSE last_error END
       WHERE id = $1 AND state = $2 RETURNING id`,
      [id, from, to, ts(now), lastError ?? null],
    );
    return rows.length > 0;
  }
}

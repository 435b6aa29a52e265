import type { PlaybackSession } from "@mpvstream/core";
import type { Queryable } from "../db/database.js";
import { ms, ts } from "./rows.js";

/** A sessions row as the billing code and the session cache use it. */
export interface SessionRecord {
  id: string;
  userId: string;
  streamId: string;
  startedAt: number;
  expiresAt: number;
  periodsPaid: number;
  pointsCharged: number;
  endedAt: number | null;
  endReason: "stopped" | "revoked" | null;
}

interface Row {
  id: string;
  user_id: string;
  stream_id: string;
  started_at: Date;
  expires_at: Date;
  periods_paid: number;
  points_charged: number;
  ended_at: Date | null;
  end_reason: "stopped" | "revoked" | null;
}

const toRecord = (row: Row): SessionRecord => ({
  id: row.id,
  userId: row.user_id,
  streamId: row.stream_id,
  startedAt: ms(row.started_at),
  expiresAt: ms(row.expires_at),
  periodsPaid: Number(row.periods_paid),
  pointsCharged: Number(row.points_charged),
  endedAt: row.ended_at === null ? null : ms(row.ended_at),
  endReason: row.end_reason,
});

/** The admin API form of a session. */
export const toPlaybackSession = (s: SessionRecord): PlaybackSession => ({
  session_id: s.id,
  user_id: s.userId,
  stream_id: s.streamId,
  started_at: new Date(s.startedAt).toISOString(),
  expires_at: new Date(s.expiresAt).toISOString(),
  points_charged: s.pointsCharged,
});

/** Playback session queries (the money-moving ones live in the billing module). */
export const sessions = {
  /** One session, optionally locked for the rest of the transaction. */
  async get(db: Queryable, id: string, lock = false): Promise<SessionRecord | undefined> {
    const [row] = await db.query<Row>(`SELECT * FROM sessions WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [
      id,
    ]);
    return row ? toRecord(row) : undefined;
  },

  /** One session locked for the rest of the transaction, with its stream's state and price (one round trip). */
  async getForRenew(
    db: Queryable,
    id: string,
  ): Promise<(SessionRecord & { streamState: string | null; pointsPerMinute: number }) | undefined> {
    const [row] = await db.query<Row & { stream_state: string | null; points_per_minute: number | null }>(
      `SELECT s.*, st.state AS stream_state, st.points_per_minute FROM sessions s
       LEFT JOIN streams st ON st.id = s.stream_id WHERE s.id = $1 FOR UPDATE OF s`,
      [id],
    );
    if (!row) return undefined;
    return {
      ...toRecord(row),
      streamState: row.stream_state,
      pointsPerMinute: Number(row.points_per_minute ?? 0),
    };
  },

  /** Sessions not ended and not yet expired at `now`, oldest first. */
  async active(db: Queryable, now: number): Promise<SessionRecord[]> {
    const rows = await db.query<Row>(
      "SELECT * FROM sessions WHERE ended_at IS NULL AND expires_at > $1::timestamptz ORDER BY started_at, id",
      [ts(now)],
    );
    return rows.map(toRecord);
  },

  /** Sessions the gate may still have to answer about: expiring after `since`, ended or not. */
  async recent(db: Queryable, since: number): Promise<SessionRecord[]> {
    const rows = await db.query<Row>("SELECT * FROM sessions WHERE expires_at > $1::timestamptz", [
      ts(since),
    ]);
    return rows.map(toRecord);
  },

  /** How many active sessions the user holds at `now`. */
  async countActive(db: Queryable, userId: string, now: number): Promise<number> {
    const [row] = await db.query<{ n: number }>(
      "SELECT count(*) AS n FROM sessions WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2::timestamptz",
      [userId, ts(now)],
    );
    return Number(row?.n ?? 0);
  },

  /** Ends a session (stop or revoke) unless it has ended already; resolves with the updated record. */
  async end(
    db: Queryable,
    id: string,
    reason: "stopped" | "revoked",
    now: number,
  ): Promise<SessionRecord | undefined> {
    const [row] = await db.query<Row>(
      `UPDATE sessions SET ended_at = $2::timestamptz, end_reason = $3
       WHERE id = $1 AND ended_at IS NULL RETURNING *`,
      [id, ts(now), reason],
    );
    return row ? toRecord(row) : undefined;
  },
};

/** Figures for `/monitoring/metrics`, computed from the store so they are exact across instances. */
export async function sessionFigures(db: Queryable, now: number) {
  const [active] = await db.query<{ n: number }>(
    "SELECT count(*) AS n FROM sessions WHERE ended_at IS NULL AND expires_at > $1::timestamptz",
    [ts(now)],
  );
  const [spent] = await db.query<{ n: number | null }>(
    `SELECT COALESCE(-sum(delta), 0) AS n FROM ledger
     WHERE delta < 0 AND kind = 'playback' AND created_at > $1::timestamptz AND created_at <= $2::timestamptz`,
    [ts(now - 60_000), ts(now)],
  );
  const [live] = await db.query<{ n: number }>("SELECT count(*) AS n FROM streams WHERE state = 'live'");
  const viewers = await db.query<{ stream_id: string; n: number }>(
    `SELECT stream_id, count(*) AS n FROM sessions
     WHERE ended_at IS NULL AND expires_at > $1::timestamptz GROUP BY stream_id`,
    [ts(now)],
  );
  const byStream: Record<string, number> = {};
  for (const row of viewers) byStream[row.stream_id] = Number(row.n);
  return {
    activeSessions: Number(active?.n ?? 0),
    pointsSpentLastMinute: Number(spent?.n ?? 0),
    streamsLive: Number(live?.n ?? 0),
    viewersByStream: byStream,
  };
}

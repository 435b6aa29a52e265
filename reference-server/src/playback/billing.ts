import { randomBytes } from "node:crypto";
import type { Database, Queryable } from "../db/database.js";
import { HttpProblem } from "../http/problem.js";
import { ts } from "../store/rows.js";
import { type SessionRecord, sessions } from "../store/sessions.js";

/** Billing settings. */
export interface BillingOptions {
  /** Length of a paid period in seconds. */
  periodS: number;
  /** Seconds the gate honours a session after `expires_at`; a renew within them still succeeds. */
  graceS: number;
  /** Most active sessions per user. */
  maxSessionsPerUser: number;
  /** Called after every committed change of a session (start, renew, stop, revoke). */
  onChange: (session: SessionRecord) => void;
}

/** The outcome of a start or renew. */
export interface BillingResult {
  session: SessionRecord;
  /** Points taken by this call (0 for a renew with more than one period left). */
  charged: number;
  /** The balance after this call. */
  balance: number;
  /** Seconds after which the client should renew. */
  renewAfterS: number;
}

/** Hooks a caller runs inside the billing transaction (the idempotency record), with the result. */
export type Finish = (tx: Queryable, result: BillingResult) => Promise<void>;

/**
 * The price of one period: `points_per_minute` prorated to the period, rounded up, so that a
 * period is never free unless the stream is.
 */
export const periodCost = (pointsPerMinute: number, periodS: number): number =>
  Math.ceil((pointsPerMinute * periodS) / 60);

/** A new session id: 128 random bits, base64url (22 characters). */
export const newSessionId = (): string => randomBytes(16).toString("base64url");

/**
 * Playback billing: every debit is one conditional UPDATE that cannot go below zero, in the same
 * transaction as its ledger row (unique per session period and per idempotency key) and the
 * session's new expiry.
 */
export class Billing {
  readonly #db: Database;
  readonly #options: BillingOptions;

  /** Creates the billing service over a database. */
  constructor(db: Database, options: BillingOptions) {
    this.#db = db;
    this.#options = options;
  }

  /** The billing period in milliseconds. */
  get periodMs(): number {
    return this.#options.periodS * 1000;
  }

  #renewAfter(expiresAt: number, now: number): number {
    return Math.max(1, Math.floor((expiresAt - now) / 1000 - this.#options.periodS / 2));
  }

  async #debit(tx: Queryable, userId: string, cost: number): Promise<number> {
    if (cost === 0) {
      const [row] = await tx.query<{ balance: number }>("SELECT balance FROM users WHERE id = $1", [userId]);
      return Number(row?.balance ?? 0);
    }
    const [row] = await tx.query<{ balance: number }>(
      "UPDATE users SET balance = balance - $2 WHERE id = $1 AND balance >= $2 RETURNING balance",
      [userId, cost],
    );
    if (!row) {
      throw new HttpProblem("insufficient_points", `This costs ${cost} points and your balance is lower.`);
    }
    return Number(row.balance);
  }

  async #ledger(
    tx: Queryable,
    entry: {
      userId: string;
      cost: number;
      balance: number;
      streamId: string;
      sessionId: string;
      period: number;
    },
    idempotencyKey: string | undefined,
    now: number,
  ): Promise<void> {
    if (entry.cost === 0) return;
    await tx.query(
      `INSERT INTO ledger (user_id, delta, balance_after, kind, reason, session_id, period, idempotency_key, created_at)
       VALUES ($1, $2, $3, 'playback', $4, $5, $6, $7, $8::timestamptz)`,
      [
        entry.userId,
        -entry.cost,
        entry.balance,
        `playback of ${entry.streamId}, period ${entry.period + 1}`,
        entry.sessionId,
        entry.period,
        idempotencyKey === undefined ? null : `${entry.userId}:${idempotencyKey}`,
        ts(now),
      ],
    );
  }

  /**
   * Pays one more period of a session in one statement: the conditional debit, the session's new
   * expiry and the ledger row (unique per session period and per key) happen together or not at
   * all; no row from the debit means the balance was short (402).
   */
  async #chargePeriod(
    tx: Queryable,
    c: {
      userId: string;
      cost: number;
      sessionId: string;
      streamId: string;
      period: number;
      expiresAt: number;
      idempotencyKey: string | undefined;
      now: number;
    },
  ): Promise<number> {
    if (c.cost === 0) {
      await tx.query(
        "UPDATE sessions SET expires_at = $2::timestamptz, periods_paid = periods_paid + 1 WHERE id = $1",
        [c.sessionId, ts(c.expiresAt)],
      );
      return this.#debit(tx, c.userId, 0);
    }
    const [row] = await tx.query<{ balance: number }>(
      `WITH debit AS (
         UPDATE users SET balance = balance - $2::bigint WHERE id = $1 AND balance >= $2::bigint RETURNING balance
       ), extend AS (
         UPDATE sessions SET expires_at = $4::timestamptz, periods_paid = periods_paid + 1,
           points_charged = points_charged + $2::bigint
         WHERE id = $3 AND EXISTS (SELECT 1 FROM debit) RETURNING id
       ), entry AS (
         INSERT INTO ledger (user_id, delta, balance_after, kind, reason, session_id, period, idempotency_key, created_at)
         SELECT $1, -$2::bigint, balance, 'playback', $5, $3, $6, $7, $8::timestamptz FROM debit RETURNING id
       )
       SELECT balance FROM debit`,
      [
        c.userId,
        c.cost,
        c.sessionId,
        ts(c.expiresAt),
        `playback of ${c.streamId}, period ${c.period + 1}`,
        c.period,
        c.idempotencyKey === undefined ? null : `${c.userId}:${c.idempotencyKey}`,
        ts(c.now),
      ],
    );
    if (!row)
      throw new HttpProblem("insufficient_points", `This costs ${c.cost} points and your balance is lower.`);
    return Number(row.balance);
  }

  /** Starts a session on a live stream, paying the first period. */
  async start(input: {
    userId: string;
    streamId: string;
    now: number;
    idempotencyKey?: string | undefined;
    finish?: Finish;
  }): Promise<BillingResult> {
    const { userId, streamId, now } = input;
    const result = await this.#db.transaction(async (tx) => {
      const [stream] = await tx.query<{ state: string; points_per_minute: number }>(
        "SELECT state, points_per_minute FROM streams WHERE id = $1",
        [streamId],
      );
      if (!stream) throw new HttpProblem("stream_not_found", `There is no stream "${streamId}".`);
      if (stream.state !== "live") {
        throw new HttpProblem("stream_not_live", `The stream "${streamId}" is ${stream.state}, not live.`);
      }
      // Locks the user's row: starts of one user run one at a time, so the cap below holds.
      const locked = await tx.query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", [userId]);
      if (locked.length === 0)
        throw new HttpProblem("unauthorized", "The user of this token no longer exists.");
      // A session past expires_at but inside the grace can still be renewed, so it still counts.
      const active = await sessions.countActive(tx, userId, now - this.#options.graceS * 1000);
      if (active >= this.#options.maxSessionsPerUser) {
        throw new HttpProblem(
          "too_many_sessions",
          `You already hold ${active} active sessions, the most allowed; stop one first.`,
        );
      }
      const cost = periodCost(Number(stream.points_per_minute), this.#options.periodS);
      const balance = await this.#debit(tx, userId, cost);
      const session: SessionRecord = {
        id: newSessionId(),
        userId,
        streamId,
        startedAt: now,
        expiresAt: now + this.periodMs,
        periodsPaid: 1,
        pointsCharged: cost,
        endedAt: null,
        endReason: null,
      };
      await tx.query(
        `INSERT INTO sessions (id, user_id, stream_id, started_at, expires_at, periods_paid, points_charged)
         VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, 1, $6)`,
        [session.id, userId, streamId, ts(now), ts(session.expiresAt), cost],
      );
      await this.#ledger(
        tx,
        { userId, cost, balance, streamId, sessionId: session.id, period: 0 },
        input.idempotencyKey,
        now,
      );
      const out: BillingResult = {
        session,
        charged: cost,
        balance,
        renewAfterS: this.#renewAfter(session.expiresAt, now),
      };
      await input.finish?.(tx, out);
      return out;
    });
    this.#options.onChange(result.session);
    return result;
  }

  /** Renews a session: pays the next period when less than one period remains, else charges nothing. */
  async renew(input: {
    userId: string;
    sessionId: string;
    now: number;
    idempotencyKey?: string | undefined;
    finish?: Finish;
  }): Promise<BillingResult> {
    const { userId, sessionId, now } = input;
    let streamGone = false;
    try {
      const result = await this.#db.transaction(async (tx) => {
        // Locks the session: concurrent renews of one session run one at a time, so a period is never paid twice.
        const session = await sessions.getForRenew(tx, sessionId);
        if (!session) throw new HttpProblem("session_not_found", "There is no such playback session.");
        if (session.userId !== userId) {
          throw new HttpProblem("forbidden", "This playback session belongs to another user.");
        }
        if (session.endedAt !== null) {
          throw new HttpProblem("session_ended", `The session was ${session.endReason ?? "stopped"}.`);
        }
        if (now > session.expiresAt + this.#options.graceS * 1000) {
          throw new HttpProblem("session_ended", "The session expired; start a new one.");
        }
        const remaining = session.expiresAt - now;
        if (remaining >= this.periodMs) {
          const balance = await this.#debit(tx, userId, 0);
          const out = { session, charged: 0, balance, renewAfterS: this.#renewAfter(session.expiresAt, now) };
          await input.finish?.(tx, out);
          return out;
        }
        if (session.streamState === null || session.streamState === "offline") {
          streamGone = true;
          throw new HttpProblem("session_ended", `The stream "${session.streamId}" has gone offline.`);
        }
        const cost = periodCost(session.pointsPerMinute, this.#options.periodS);
        const period = session.periodsPaid;
        const expiresAt = Math.max(session.expiresAt, now) + this.periodMs;
        const balance = await this.#chargePeriod(tx, {
          userId,
          cost,
          sessionId,
          streamId: session.streamId,
          period,
          expiresAt,
          idempotencyKey: input.idempotencyKey,
          now,
        });
        const updated: SessionRecord = {
          ...session,
          expiresAt,
          periodsPaid: period + 1,
          pointsCharged: session.pointsCharged + cost,
        };
        const out = {
          session: updated,
          charged: cost,
          balance,
          renewAfterS: this.#renewAfter(expiresAt, now),
        };
        await input.finish?.(tx, out);
        return out;
      });
      this.#options.onChange(result.session);
      return result;
    } catch (error) {
      // The session ended inside a transaction that rolled back: end it for good, outside it.
      if (streamGone) {
        const done = await this.#db.transaction((tx) => sessions.end(tx, sessionId, "stopped", now));
        if (done) this.#options.onChange(done);
      }
      throw error;
    }
  }

  /** Stops the caller's session; stopping an ended session is a no-op. */
  async stop(input: { userId: string; sessionId: string; now: number }): Promise<void> {
    const ended = await this.#db.transaction(async (tx) => {
      await this.#owned(tx, input.userId, input.sessionId, false);
      return sessions.end(tx, input.sessionId, "stopped", input.now);
    });
    if (ended) this.#options.onChange(ended);
  }

  /** Revokes any session (admin); revoking an ended session is a no-op. */
  async revoke(sessionId: string, now: number): Promise<void> {
    const ended = await this.#db.transaction(async (tx) => {
      const session = await sessions.get(tx, sessionId);
      if (!session) throw new HttpProblem("session_not_found", "There is no such playback session.");
      return sessions.end(tx, sessionId, "revoked", now);
    });
    if (ended) this.#options.onChange(ended);
  }

  async #owned(tx: Queryable, userId: string, sessionId: string, lock: boolean): Promise<SessionRecord> {
    const session = await sessions.get(tx, sessionId, lock);
    if (!session) throw new HttpProblem("session_not_found", "There is no such playback session.");
    if (session.userId !== userId)
      throw new HttpProblem("forbidden", "This playback session belongs to another user.");
    return session;
  }
}

import { randomUUID } from "node:crypto";
import type { User } from "@mpvstream/core";
import type { Database, Queryable } from "../db/database.js";
import { isUniqueViolation, type LedgerRow, toLedgerEntry, toUser, ts, type UserRow } from "./rows.js";

/** Why a points change was refused. */
export type PointsChangeRefusal = "user_not_found" | "insufficient_points" | "balance_too_large";

/** Users, their balances and their ledger. */
export class UserStore {
  readonly #db: Database;

  /** Creates the store over a database. */
  constructor(db: Database) {
    this.#db = db;
  }

  /** Creates a user, with an `initial` ledger row when the balance is not zero; `undefined` when the email is taken. */
  async create(input: {
    email: string;
    passwordHash: string;
    role: "user" | "admin";
    balance?: number;
    now: number;
  }): Promise<User | undefined> {
    const id = randomUUID();
    const balance = input.balance ?? 0;
    try {
      return await this.#db.transaction(async (tx) => {
        const [row] = await tx.query<UserRow>(
          `INSERT INTO users (id, email, email_key, password_hash, role, balance, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz) RETURNING *`,
          [
            id,
            input.email,
            input.email.toLowerCase(),
            input.passwordHash,
            input.role,
            balance,
            ts(input.now),
          ],
        );
        if (balance > 0) {
          await tx.query(
            `INSERT INTO ledger (user_id, delta, balance_after, kind, reason, created_at)
             VALUES ($1, $2, $2, 'initial', 'initial balance', $3::timestamptz)`,
            [id, balance, ts(input.now)],
          );
        }
        return toUser(row as UserRow);
      });
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
  }

  /** Creates the user, or sets the password and role of the existing one with that email. */
  async upsert(input: {
    email: string;
    passwordHash: string;
    role: "user" | "admin";
    balance?: number;
    now: number;
  }) {
    const created = await this.create(input);
    if (created) return { user: created, created: true };
    const [row] = await this.#db.query<UserRow>(
      "UPDATE users SET password_hash = $2, role = $3 WHERE email_key = $1 RETURNING *",
      [input.email.toLowerCase(), input.passwordHash, input.role],
    );
    if (!row) throw new Error(`user ${input.email} vanished during upsert`);
    return { user: toUser(row), created: false };
  }

  /** The user with this email (any case), with the password hash, or `undefined`. */
  async findByEmail(email: string): Promise<UserRow | undefined> {
    const [row] = await this.#db.query<UserRow>("SELECT * FROM users WHERE email_key = $1", [
      email.toLowerCase(),
    ]);
    return row;
  }

  /** The user with this id, or `undefined`. */
  async get(id: string, db: Queryable = this.#db): Promise<User | undefined> {
    const [row] = await db.query<UserRow>("SELECT id, email, role, balance FROM users WHERE id = $1", [id]);
    return row ? toUser(row) : undefined;
  }

  /** Every user, oldest first. */
  async list(): Promise<User[]> {
    const rows = await this.#db.query<UserRow>(
      "SELECT id, email, role, balance FROM users ORDER BY created_at, id",
    );
    return rows.map(toUser);
  }

  /**
   * Grants (positive) or corrects (negative) a balance in one transaction with its ledger row;
   * a correction never takes the balance below zero. `finish` runs inside the transaction.
   */
  async changePoints<T>(input: {
    userId: string;
    delta: number;
    reason: string;
    idempotencyKey?: string | undefined;
    now: number;
    finish?: (tx: Queryable, balance: number) => Promise<T>;
  }): Promise<{ balance: number } | PointsChangeRefusal> {
    return this.#db.transaction(async (tx) => {
      const [row] = await tx.query<{ balance: number }>(
        `UPDATE users SET balance = balance + $2
         WHERE id = $1 AND balance + $2 >= 0 AND balance + $2 <= ${Number.MAX_SAFE_INTEGER} RETURNING balance`,
        [input.userId, input.delta],
      );
      if (!row) {
        const [user] = await tx.query<{ balance: number }>("SELECT balance FROM users WHERE id = $1", [
          input.userId,
        ]);
        if (!user) return "user_not_found";
        return Number(user.balance) + input.delta < 0 ? "insufficient_points" : "balance_too_large";
      }
      await tx.query(
        `INSERT INTO ledger (user_id, delta, balance_after, kind, reason, idempotency_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz)`,
        [
          input.userId,
          input.delta,
          row.balance,
          input.delta > 0 ? "grant" : "correction",
          input.reason,
          input.idempotencyKey ?? null,
          ts(input.now),
        ],
      );
      await input.finish?.(tx, Number(row.balance));
      return { balance: Number(row.balance) };
    });
  }

  /** The user's ledger, newest first. */
  async ledger(userId: string, limit: number) {
    const rows = await this.#db.query<LedgerRow>(
      `SELECT id, delta, balance_after, reason, session_id, created_at FROM ledger
       WHERE user_id = $1 ORDER BY id DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map(toLedgerEntry);
  }
}

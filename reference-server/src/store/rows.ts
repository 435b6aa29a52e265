import type { LedgerEntry, Stream, StreamSource, StreamState, User } from "@mpvstream/core";

/** A timestamp parameter: milliseconds since the epoch as an ISO string, cast with `::timestamptz`. */
export const ts = (ms: number): string => new Date(ms).toISOString();

/** A `timestamptz` column as milliseconds (PGlite and pg both return `Date`). */
export const ms = (value: unknown): number =>
  value instanceof Date ? value.getTime() : new Date(String(value)).getTime();

/** A users row. */
export interface UserRow {
  id: string;
  email: string;
  role: "user" | "admin";
  balance: number;
  password_hash: string;
}

/** The API form of a users row. */
export const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  role: row.role,
  points_balance: Number(row.balance),
});

/** A streams row with its viewer count. */
export interface StreamRow {
  id: string;
  title: string;
  state: StreamState;
  points_per_minute: number;
  source: StreamSource;
  last_error: string | null;
  updated_at: Date;
  viewers: number;
}

/** The API form of a streams row. */
export const toStream = (row: StreamRow): Stream => {
  const stream: Stream = {
    id: row.id,
    title: row.title,
    state: row.state,
    points_per_minute: Number(row.points_per_minute),
    viewers: Number(row.viewers ?? 0),
    source: typeof row.source === "string" ? (JSON.parse(row.source) as StreamSource) : row.source,
    updated_at: new Date(ms(row.updated_at)).toISOString(),
  };
  if (row.last_error !== null && row.last_error !== undefined) stream.last_error = row.last_error;
  return stream;
};

/** A ledger row. */
export interface LedgerRow {
  id: number | string;
  delta: number;
  balance_after: number;
  reason: string;
  session_id: string | null;
  created_at: Date;
}

/** The API form of a ledger row. */
export const toLedgerEntry = (row: LedgerRow): LedgerEntry => ({
  id: String(row.id),
  delta: Number(row.delta),
  balance_after: Number(row.balance_after),
  reason: row.reason,
  session_id: row.session_id,
  created_at: new Date(ms(row.created_at)).toISOString(),
});

/**
 * Whether an error is PostgreSQL's unique violation (23505), from pg or PGlite; of `constraint`
 * when it is given.
 */
export const isUniqueViolation = (error: unknown, constraint?: string): boolean =>
  typeof error === "object" &&
  error !== null &&
  (error as { code?: unknown }).code === "23505" &&
  (constraint === undefined || (error as { constraint?: unknown }).constraint === constraint);

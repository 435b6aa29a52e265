import type { Database } from "./database.js";

/** One versioned schema change. Applied migrations are never edited; a change is a new one. */
export interface Migration {
  /** Increasing version number. */
  readonly version: number;
  /** Short name, recorded in `schema_migrations`. */
  readonly name: string;
  /** The SQL, run in one transaction. */
  readonly sql: string;
}

/** Every migration of the reference server's schema, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
CREATE TABLE users (
  id text PRIMARY KEY,
  email text NOT NULL,
  email_key text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('user', 'admin')),
  balance bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
  created_at timestamptz NOT NULL
);

CREATE TABLE streams (
  id text PRIMARY KEY,
  title text NOT NULL,
  state text NOT NULL CHECK (state IN ('offline', 'starting', 'live', 'stopping', 'error')),
  points_per_minute bigint NOT NULL CHECK (points_per_minute >= 0),
  source jsonb NOT NULL,
  last_error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE sessions (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  stream_id text NOT NULL,
  started_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  periods_paid integer NOT NULL CHECK (periods_paid >= 0),
  points_charged bigint NOT NULL DEFAULT 0 CHECK (points_charged >= 0),
  ended_at timestamptz,
  end_reason text CHECK (end_reason IN ('stopped', 'revoked'))
);
CREATE INDEX sessions_active_by_user ON sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_active_by_expiry ON sessions (expires_at) WHERE ended_at IS NULL;

CREATE TABLE ledger (
  id bigserial PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  delta bigint NOT NULL CHECK (delta <> 0),
  balance_after bigint NOT NULL CHECK (balance_after >= 0),
  kind text NOT NULL CHECK (kind IN ('playback', 'grant', 'correction', 'initial')),
  reason text NOT NULL,
  session_id text,
  period integer,
  idempotency_key text UNIQUE,
  created_at timestamptz NOT NULL,
  UNIQUE (session_id, period)
);
CREATE INDEX ledger_by_user ON ledger (user_id, id DESC);
CREATE INDEX ledger_by_time ON ledger (created_at) WHERE delta < 0;

CREATE TABLE refresh_tokens (
  hash text PRIMARY KEY,
  family text NOT NULL,
  user_id text NOT NULL REFERENCES users(id),
  expires_at timestamptz NOT NULL,
  rotated_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);

CREATE TABLE idempotency_keys (
  user_id text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status integer,
  response text,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
`,
  },
];

/**
 * Brings the schema up to date: creates `schema_migrations` if needed and applies each missing
 * migration in its own transaction, recording it. A lock keeps two instances from migrating at once.
 *
 * @returns the versions applied by this call.
 * @example
 * ```ts
 * const applied = await migrate(db); // [1] on a fresh database, [] afterwards
 * ```
 */
export async function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const done = await db.transaction(async (tx) => {
      // Serialises migrators across instances: the second one waits, then sees the version recorded.
      if (db.kind === "postgres") await tx.query("SELECT pg_advisory_xact_lock(4242001)");
      const rows = await tx.query("SELECT 1 FROM schema_migrations WHERE version = $1", [migration.version]);
      if (rows.length > 0) return false;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}

/** The versions recorded in `schema_migrations`, ascending. */
export async function appliedVersions(db: Database): Promise<number[]> {
  const rows = await db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
  return rows.map((row) => row.version);
}

/** Splits migration SQL on semicolons at line ends (migrations hold no functions or quoted semicolons). */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { isCanonicalBase64url } from "./base64url.js";
import { TokenError } from "./errors.js";

const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** A new refresh token: give `token` to the client, store only `hash`. */
export interface RefreshToken {
  /** 256 random bits, base64url (43 characters). Never store or log it. */
  token: string;
  /** SHA-256 of the token, base64url: what the store keeps and looks up. */
  hash: string;
}

/** What the caller's store keeps about one refresh token (looked up by its hash). */
export interface RefreshTokenRecord {
  /** The family: every token obtained by rotating the first one of a login. */
  family: string;
  /** Expiry, Unix seconds. */
  expiresAt: number;
  /** When it was exchanged for a new one; a second use of a rotated token means theft. */
  rotatedAt?: number | null;
  /** When it (or its family) was revoked, for logout. */
  revokedAt?: number | null;
}

/** The store that {@link rotateRefreshToken} needs; the caller implements it on its database. */
export interface RefreshTokenStore<R extends RefreshTokenRecord = RefreshTokenRecord> {
  /**
   * Atomically marks the record with this hash as rotated (at `now`, Unix seconds) and returns it
   * as it was before the mark, or `undefined` when there is none. In PostgreSQL:
   * `UPDATE refresh_tokens t SET rotated_at = COALESCE(t.rotated_at, $2) FROM (SELECT hash,
   * rotated_at FROM refresh_tokens WHERE hash = $1 FOR UPDATE) old WHERE t.hash = old.hash
   * RETURNING t.family, t.expires_at, t.revoked_at, old.rotated_at`.
   */
  consume(hash: string, now: number): Promise<R | undefined>;
  /**
   * Revokes every token of the family (called on reuse). Mark the family itself, not only its
   * current rows, if a concurrent refresh may still insert a new token into it.
   */
  revokeFamily(family: string): Promise<void>;
}

/**
 * Generates an opaque refresh token (256 random bits) and the hash to store.
 *
 * @example
 * ```ts
 * const { token, hash } = createRefreshToken();
 * await db.insertRefreshToken({ hash, family, userId, expiresAt });
 * res.json({ refresh_token: token });
 * ```
 */
export function createRefreshToken(): RefreshToken {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashRefreshToken(token) };
}

/**
 * Hashes a refresh token for storage and lookup (SHA-256, base64url); refuses anything that is not
 * a token this package made with `malformed`.
 *
 * @example
 * ```ts
 * const record = await db.findRefreshToken(hashRefreshToken(body.refresh_token));
 * ```
 */
export function hashRefreshToken(token: string): string {
  if (typeof token !== "string" || !REFRESH_TOKEN.test(token) || !isCanonicalBase64url(token)) {
    throw new TokenError("malformed", "not a refresh token");
  }
  return createHash("sha256").update(token).digest("base64url");
}

/**
 * Compares a presented token with a stored hash in constant time.
 *
 * @example
 * ```ts
 * if (!verifyRefreshToken(presented, record.hash)) throw new Error("mismatch");
 * ```
 */
export function verifyRefreshToken(token: string, hash: string): boolean {
  let actual: string;
  try {
    actual = hashRefreshToken(token);
  } catch {
    return false;
  }
  const a = Buffer.from(actual);
  const b = Buffer.from(String(hash));
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks a looked-up record against the clock (milliseconds, `Date.now` by default): throws
 * `refresh_unknown` (no record), `refresh_reused` (already
 * rotated: revoke the family, whose id is on `cause.family`), `revoked` or `expired`.
 *
 * @example
 * ```ts
 * const record = await db.findRefreshToken(hashRefreshToken(presented));
 * checkRefreshToken(record); // or checkRefreshToken(record, { clock: () => frozenMs })
 * ```
 */
export function checkRefreshToken<R extends RefreshTokenRecord>(
  record: R | undefined,
  options: { clock?: () => number } = {},
): asserts record is R {
  const now = (options.clock ?? Date.now)() / 1000;
  if (record === undefined) throw new TokenError("refresh_unknown", "unknown refresh token");
  const cause = { family: record.family };
  if (record.revokedAt != null) throw new TokenError("revoked", "the refresh token was revoked", { cause });
  if (record.rotatedAt != null) {
    throw new TokenError("refresh_reused", "a rotated refresh token was used again", { cause });
  }
  if (now >= record.expiresAt) throw new TokenError("expired", "the refresh token expired", { cause });
}

/**
 * One refresh step: consumes the presented token in the store, refuses unknown, revoked, expired or
 * reused tokens (a reused one revokes its whole family first), and returns the record with a new
 * token for the same family, which the caller stores.
 *
 * @example
 * ```ts
 * const { record, next } = await rotateRefreshToken(body.refresh_token, store);
 * await store.insert({ hash: next.hash, family: record.family, expiresAt: now + 30 * 86400 });
 * ```
 */
export async function rotateRefreshToken<R extends RefreshTokenRecord>(
  presented: string,
  store: RefreshTokenStore<R>,
  options: { clock?: () => number } = {},
): Promise<{ record: R; next: RefreshToken }> {
  const clock = options.clock ?? Date.now;
  const record = await store.consume(hashRefreshToken(presented), Math.floor(clock() / 1000));
  try {
    checkRefreshToken(record, { clock });
  } catch (error) {
    if ((error as TokenError).code === "refresh_reused" && record) await store.revokeFamily(record.family);
    throw error;
  }
  return { record, next: createRefreshToken() };
}

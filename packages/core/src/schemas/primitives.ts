import { z } from "zod";

/**
 * Points: a whole, non-negative, safe integer (floats, negatives, `1e309` and unsafe integers are refused).
 *
 * @example
 * ```ts
 * PointsSchema.parse(1000);
 * ```
 */
export const PointsSchema = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/** A signed change of points, never zero, within the safe integer range. */
export const PointsDeltaSchema = z
  .int()
  .min(-Number.MAX_SAFE_INTEGER)
  .max(Number.MAX_SAFE_INTEGER)
  .refine((n) => n !== 0, "must not be zero");

/** A timestamp: an ISO 8601 string in UTC (`2026-11-25T16:31:12.000Z`). */
export const TimestampSchema = z.iso.datetime();

/** An email address (also `user@localhost`-style local names), at most 254 characters, case kept. */
export const EmailSchema = z
  .string()
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+$/, "must be an email address such as viewer@example.com");

/** A user id, as the server assigns it. */
export const UserIdSchema = z.string().min(1).max(64);

/**
 * A stream id: a lowercase slug (`a-z`, `0-9`, `-`, `_`), 1 to 64 characters, starting with a letter or digit.
 * It is used in URLs and directory names, so nothing else is accepted.
 */
export const StreamIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,63}$/,
    "must be 1-64 characters of a-z, 0-9, '-' or '_', starting with a letter or digit",
  );

/** A playback session id: an unguessable random value in base64url or hex, 16 to 64 characters. */
export const SessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, "must be a session id");

/** A role: an ordinary viewer or an administrator. */
export const RoleSchema = z.enum(["user", "admin"]);

/** A role: `"user"` or `"admin"`. */
export type Role = z.infer<typeof RoleSchema>;

/** A short human text (titles, reasons): trimmed length 1 to 200. */
export const ShortTextSchema = z.string().trim().min(1).max(200);

/**
 * A positive integer read from a query string (`?limit=20`), within `[1, max]`.
 *
 * @example
 * ```ts
 * queryInt(500, 50).parse("20"); // 20
 * queryInt(500, 50).parse(undefined); // 50
 * ```
 */
export function queryInt(max: number, fallback: number) {
  return z
    .string()
    .regex(/^[0-9]{1,9}$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(z.int().min(1).max(max))
    .optional()
    .transform((n) => n ?? fallback);
}

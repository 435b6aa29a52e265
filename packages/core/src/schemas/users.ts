import { z } from "zod";
import {
  EmailSchema,
  PointsDeltaSchema,
  PointsSchema,
  queryInt,
  RoleSchema,
  SessionIdSchema,
  ShortTextSchema,
  TimestampSchema,
  UserIdSchema,
} from "./primitives.js";

/**
 * A user account as the API shows it.
 *
 * @example
 * ```ts
 * const me = UserSchema.parse(await (await fetch(`${server}/me`, { headers })).json());
 * ```
 */
export const UserSchema = z.strictObject({
  id: UserIdSchema,
  email: EmailSchema,
  role: RoleSchema,
  points_balance: PointsSchema,
});

/** A user account: id, email, role and points balance. */
export type User = z.infer<typeof UserSchema>;

/** Body of `POST /auth/login`. */
export const LoginRequestSchema = z.strictObject({
  email: EmailSchema,
  password: z.string().min(1).max(1024),
});

/** Body of `POST /auth/login`. */
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/** Answer of `POST /auth/login` and `POST /auth/refresh`. */
export const TokenResponseSchema = z.strictObject({
  access_token: z.string().min(1).max(4096),
  token_type: z.literal("Bearer"),
  expires_in: z.int().min(1).max(86_400),
  refresh_token: z.string().min(1).max(512),
  user: UserSchema,
});

/** Answer of `POST /auth/login` and `POST /auth/refresh`: a token pair and the user. */
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

/** Body of `POST /auth/refresh` and `POST /auth/logout`. */
export const RefreshRequestSchema = z.strictObject({
  refresh_token: z.string().min(1).max(512),
});

/** Body of `POST /auth/refresh` and `POST /auth/logout`. */
export type RefreshRequest = z.infer<typeof RefreshRequestSchema>;

/** One row of the points ledger: every change of a balance is one. */
export const LedgerEntrySchema = z.strictObject({
  id: z.string().min(1).max(64),
  delta: z.int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  balance_after: PointsSchema,
  reason: z.string().max(200),
  session_id: SessionIdSchema.nullable(),
  created_at: TimestampSchema,
});

/** One row of the points ledger. */
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

/** Query of `GET /me/ledger`: `limit` from 1 to 500, 50 when absent. */
export const LedgerQuerySchema = z.strictObject({ limit: queryInt(500, 50) });

/** Query of `GET /me/ledger` after parsing. */
export type LedgerQuery = z.infer<typeof LedgerQuerySchema>;

/** Answer of `GET /me/ledger`: entries, newest first. */
export const LedgerResponseSchema = z.strictObject({ entries: z.array(LedgerEntrySchema) });

/** Answer of `GET /me/ledger`. */
export type LedgerResponse = z.infer<typeof LedgerResponseSchema>;

/** Body of `POST /admin/users`. */
export const CreateUserRequestSchema = z.strictObject({
  email: EmailSchema,
  password: z.string().min(8, "must be at least 8 characters").max(1024),
  role: RoleSchema,
  points_balance: PointsSchema.optional(),
});

/** Body of `POST /admin/users`. */
export type CreateUserRequest = z.infer<typeof CreateUserRequestSchema>;

/** Answer of `GET /admin/users`. */
export const UsersResponseSchema = z.strictObject({ users: z.array(UserSchema) });

/** Answer of `GET /admin/users`. */
export type UsersResponse = z.infer<typeof UsersResponseSchema>;

/** Body of `POST /admin/users/{id}/points`: a grant (positive) or a correction (negative), with its reason. */
export const PointsChangeRequestSchema = z.strictObject({
  delta: PointsDeltaSchema,
  reason: ShortTextSchema,
});

/** Body of `POST /admin/users/{id}/points`. */
export type PointsChangeRequest = z.infer<typeof PointsChangeRequestSchema>;

/** Answer of `POST /admin/users/{id}/points`. */
export const PointsBalanceResponseSchema = z.strictObject({ points_balance: PointsSchema });

/** Answer of `POST /admin/users/{id}/points`. */
export type PointsBalanceResponse = z.infer<typeof PointsBalanceResponseSchema>;

import { z } from "zod";

/**
 * Every machine-readable error code the API answers with, a closed list.
 *
 * @example
 * ```ts
 * ERROR_CODES.includes("rate_limited"); // true
 * ```
 */
export const ERROR_CODES = [
  "validation_failed",
  "unauthorized",
  "invalid_credentials",
  "invalid_token",
  "forbidden",
  "not_found",
  "stream_not_found",
  "stream_exists",
  "stream_not_live",
  "invalid_transition",
  "insufficient_points",
  "too_many_sessions",
  "session_not_found",
  "session_ended",
  "session_inactive",
  "user_exists",
  "rate_limited",
  "payload_too_large",
  "idempotency_key_reused",
  "idempotency_in_progress",
  "service_unavailable",
  "internal",
] as const;

/** One of {@link ERROR_CODES}: the stable `code` of a problem response. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Schema of an {@link ErrorCode}. */
export const ErrorCodeSchema = z.enum(ERROR_CODES);

/**
 * The HTTP status and human title that go with each error code: the server answers with
 * these, and clients can rely on them.
 *
 * @example
 * ```ts
 * ERRORS.insufficient_points.status; // 402
 * ```
 */
export const ERRORS: { readonly [K in ErrorCode]: { readonly status: number; readonly title: string } } = {
  validation_failed: { status: 400, title: "The request is not valid" },
  unauthorized: { status: 401, title: "Authentication is required" },
  invalid_credentials: { status: 401, title: "The email or password is wrong" },
  invalid_token: { status: 401, title: "The token is not valid" },
  forbidden: { status: 403, title: "This is not allowed for you" },
  not_found: { status: 404, title: "Not found" },
  stream_not_found: { status: 404, title: "No such stream" },
  stream_exists: { status: 409, title: "A stream with this id exists" },
  stream_not_live: { status: 409, title: "The stream is not live" },
  invalid_transition: { status: 409, title: "The stream cannot change to that state now" },
  insufficient_points: { status: 402, title: "Not enough points" },
  too_many_sessions: { status: 429, title: "Too many playback sessions" },
  session_not_found: { status: 404, title: "No such playback session" },
  session_ended: { status: 410, title: "The playback session has ended" },
  session_inactive: { status: 403, title: "The playback session is not active" },
  user_exists: { status: 409, title: "A user with this email exists" },
  rate_limited: { status: 429, title: "Too many requests" },
  payload_too_large: { status: 413, title: "The request body is too large" },
  idempotency_key_reused: { status: 422, title: "The idempotency key was used with a different request" },
  idempotency_in_progress: { status: 409, title: "A request with this idempotency key is still running" },
  service_unavailable: { status: 503, title: "The service is unavailable for a moment" },
  internal: { status: 500, title: "Internal error" },
};

/**
 * Checks whether a value is one of the API's error codes.
 *
 * @example
 * ```ts
 * isErrorCode("forbidden"); // true
 * isErrorCode("teapot"); // false
 * ```
 */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERRORS, value);
}

/** Schema of one entry of a problem's `errors`: which field was wrong, and why. */
export const FieldErrorSchema = z.strictObject({
  path: z.string().max(512),
  message: z.string().max(1024),
});

/** One entry of a problem's `errors`: `path` is the dotted field path (`""` for the whole body). */
export type FieldError = z.infer<typeof FieldErrorSchema>;

/**
 * Schema of an RFC 9457 problem response (`application/problem+json`) as every error of the API is sent.
 *
 * @example
 * ```ts
 * ProblemSchema.parse(await response.json()).code;
 * ```
 */
export const ProblemSchema = z.strictObject({
  type: z.string().max(256),
  title: z.string().max(256),
  status: z.int().min(400).max(599),
  detail: z.string().max(2048),
  code: ErrorCodeSchema,
  errors: z.array(FieldErrorSchema).max(100).optional(),
});

/** An RFC 9457 problem response body. */
export type Problem = z.infer<typeof ProblemSchema>;

/** The media type of problem responses. */
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/**
 * Builds the problem body for an error code, with the code's status and title.
 *
 * @example
 * ```ts
 * problem("stream_not_found", "There is no stream named 'news'.");
 * // { type: "urn:mpvstream:problem:stream_not_found", title: "No such stream", status: 404, ... }
 * ```
 */
export function problem(code: ErrorCode, detail: string, errors?: readonly FieldError[]): Problem {
  const { status, title } = ERRORS[code];
  const body: Problem = { type: `urn:mpvstream:problem:${code}`, title, status, detail, code };
  if (errors !== undefined && errors.length > 0) body.errors = errors.slice(0, 100);
  return body;
}

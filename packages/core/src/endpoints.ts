import type { z } from "zod";
import { ProblemSchema } from "./errors.js";
import {
  ErrorsResponseSchema,
  HealthResponseSchema,
  MetricsResponseSchema,
  ReadyResponseSchema,
} from "./schemas/monitoring.js";
import {
  PlaybackRenewResponseSchema,
  PlaybackSessionRequestSchema,
  PlaybackSessionsResponseSchema,
  PlaybackStartRequestSchema,
  PlaybackStartResponseSchema,
} from "./schemas/playback.js";
import {
  CreateStreamRequestSchema,
  StreamSchema,
  StreamStateRequestSchema,
  StreamsResponseSchema,
  UpdateStreamRequestSchema,
} from "./schemas/streams.js";
import {
  CreateUserRequestSchema,
  LedgerQuerySchema,
  LedgerResponseSchema,
  LoginRequestSchema,
  PointsBalanceResponseSchema,
  PointsChangeRequestSchema,
  RefreshRequestSchema,
  TokenResponseSchema,
  UserSchema,
  UsersResponseSchema,
} from "./schemas/users.js";

/** Who may call an endpoint: anyone, a logged-in user, an admin, or a Prometheus scraper. */
export type EndpointAuth = "none" | "user" | "admin" | "metrics";

/** The description of one HTTP endpoint of the API, from which the server builds its OpenAPI document. */
export interface Endpoint {
  /** HTTP method. */
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Path in OpenAPI form, with `{param}` placeholders. */
  readonly path: string;
  /** Who may call it. */
  readonly auth: EndpointAuth;
  /** One line saying what it does. */
  readonly summary: string;
  /** Schema of the JSON body, when it takes one. */
  readonly body?: z.ZodType;
  /** Schema of the query string, when it reads one. */
  readonly query?: z.ZodType;
  /** Success status. */
  readonly status: number;
  /** Schema of the success body; absent for 204 or non-JSON answers. */
  readonly response?: z.ZodType;
  /** Whether it honours `Idempotency-Key`. */
  readonly idempotent?: boolean;
}

/**
 * Every endpoint of the HTTP API (version 1), keyed by a stable operation name.
 *
 * @example
 * ```ts
 * ENDPOINTS.playbackStart.path; // "/playback/start"
 * ```
 */
export const ENDPOINTS = {
  login: {
    method: "POST",
    path: "/auth/login",
    auth: "none",
    summary: "Log in with email and password",
    body: LoginRequestSchema,
    status: 200,
    response: TokenResponseSchema,
  },
  refresh: {
    method: "POST",
    path: "/auth/refresh",
    auth: "none",
    summary: "Trade a refresh token for a new token pair",
    body: RefreshRequestSchema,
    status: 200,
    response: TokenResponseSchema,
  },
  logout: {
    method: "POST",
    path: "/auth/logout",
    auth: "none",
    summary: "Revoke a refresh token",
    body: RefreshRequestSchema,
    status: 204,
  },
  me: {
    method: "GET",
    path: "/me",
    auth: "user",
    summary: "The logged-in user",
    status: 200,
    response: UserSchema,
  },
  ledger: {
    method: "GET",
    path: "/me/ledger",
    auth: "user",
    summary: "The user's points ledger, newest first",
    query: LedgerQuerySchema,
    status: 200,
    response: LedgerResponseSchema,
  },
  listStreams: {
    method: "GET",
    path: "/streams",
    auth: "user",
    summary: "All streams",
    status: 200,
    response: StreamsResponseSchema,
  },
  getStream: {
    method: "GET",
    path: "/streams/{id}",
    auth: "user",
    summary: "One stream",
    status: 200,
    response: StreamSchema,
  },
  createStream: {
    method: "POST",
    path: "/streams",
    auth: "admin",
    summary: "Create a stream",
    body: CreateStreamRequestSchema,
    status: 201,
    response: StreamSchema,
  },
  updateStream: {
    method: "PATCH",
    path: "/streams/{id}",
    auth: "admin",
    summary: "Change a stream's title, price or source",
    body: UpdateStreamRequestSchema,
    status: 200,
    response: StreamSchema,
  },
  deleteStream: {
    method: "DELETE",
    path: "/streams/{id}",
    auth: "admin",
    summary: "Delete an offline stream",
    status: 204,
  },
  setStreamState: {
    method: "POST",
    path: "/streams/{id}/state",
    auth: "admin",
    summary: "Set a stream live or offline",
    body: StreamStateRequestSchema,
    status: 202,
    response: StreamSchema,
  },
  restartStream: {
    method: "POST",
    path: "/streams/{id}/restart",
    auth: "admin",
    summary: "Restart a stream's pipeline",
    status: 202,
    response: StreamSchema,
  },
  playbackStart: {
    method: "POST",
    path: "/playback/start",
    auth: "user",
    summary: "Start a paid playback session",
    body: PlaybackStartRequestSchema,
    status: 201,
    response: PlaybackStartResponseSchema,
    idempotent: true,
  },
  playbackRenew: {
    method: "POST",
    path: "/playback/renew",
    auth: "user",
    summary: "Renew a session, paying the next period when due",
    body: PlaybackSessionRequestSchema,
    status: 200,
    response: PlaybackRenewResponseSchema,
    idempotent: true,
  },
  playbackStop: {
    method: "POST",
    path: "/playback/stop",
    auth: "user",
    summary: "Stop a session",
    body: PlaybackSessionRequestSchema,
    status: 204,
  },
  listUsers: {
    method: "GET",
    path: "/admin/users",
    auth: "admin",
    summary: "All users",
    status: 200,
    response: UsersResponseSchema,
  },
  createUser: {
    method: "POST",
    path: "/admin/users",
    auth: "admin",
    summary: "Create a user",
    body: CreateUserRequestSchema,
    status: 201,
    response: UserSchema,
  },
  changePoints: {
    method: "POST",
    path: "/admin/users/{id}/points",
    auth: "admin",
    summary: "Grant or correct a user's points",
    body: PointsChangeRequestSchema,
    status: 200,
    response: PointsBalanceResponseSchema,
    idempotent: true,
  },
  listSessions: {
    method: "GET",
    path: "/admin/sessions",
    auth: "admin",
    summary: "Active playback sessions",
    status: 200,
    response: PlaybackSessionsResponseSchema,
  },
  revokeSession: {
    method: "DELETE",
    path: "/admin/sessions/{id}",
    auth: "admin",
    summary: "Revoke a session; the gate refuses it at once",
    status: 204,
  },
  health: {
    method: "GET",
    path: "/healthz",
    auth: "none",
    summary: "Liveness",
    status: 200,
    response: HealthResponseSchema,
  },
  ready: {
    method: "GET",
    path: "/readyz",
    auth: "none",
    summary: "Readiness: 200 when the store answers, else 503",
    status: 200,
    response: ReadyResponseSchema,
  },
  metrics: {
    method: "GET",
    path: "/monitoring/metrics",
    auth: "admin",
    summary: "Live figures",
    status: 200,
    response: MetricsResponseSchema,
  },
  errors: {
    method: "GET",
    path: "/monitoring/errors",
    auth: "admin",
    summary: "Errors seen, by kind",
    status: 200,
    response: ErrorsResponseSchema,
  },
} as const satisfies Record<string, Endpoint>;

/** The name of one of the API's operations, a key of {@link ENDPOINTS}. */
export type EndpointName = keyof typeof ENDPOINTS;

/** Schema of every error answer, exported here for OpenAPI generation beside {@link ENDPOINTS}. */
export const ErrorResponseSchema: typeof ProblemSchema = ProblemSchema;

import type {
  CreateStreamRequest,
  CreateUserRequest,
  ErrorsResponse,
  HealthResponse,
  LedgerResponse,
  LoginRequest,
  MetricsResponse,
  PlaybackRenewResponse,
  PlaybackSessionRequest,
  PlaybackSessionsResponse,
  PlaybackStartRequest,
  PlaybackStartResponse,
  PointsBalanceResponse,
  PointsChangeRequest,
  ReadyResponse,
  Stream,
  StreamStateRequest,
  StreamsResponse,
  TokenResponse,
  UpdateStreamRequest,
  User,
  UsersResponse,
} from "@mpvstream/core";
import type { TokenStore, Tokens } from "./tokens.js";

/** How calls retry requests lost on the network and `503` answers. */
export interface RetryOptions {
  /** Retries after the first attempt (default 2); `0` turns retrying off. */
  readonly limit?: number;
  /** Wait before retry number `attempt` (from 1) when the server names none; default 300 ms doubling, with jitter, at most 10 s. */
  readonly delayMs?: (attempt: number) => number;
  /** A `Retry-After` longer than this is not waited for: the call fails at once (default 60 000). */
  readonly maxRetryAfterMs?: number;
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Where the server is, e.g. `http://127.0.0.1:8080` (a path prefix is kept). */
  readonly baseUrl: string | URL;
  /** Where tokens live; a {@link MemoryTokenStore} by default. */
  readonly tokenStore?: TokenStore;
  /** The fetch to use (default `globalThis.fetch`). */
  readonly fetch?: typeof globalThis.fetch;
  /** Time allowed for each attempt, answer body included, in ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Retry count, or the full {@link RetryOptions}. */
  readonly retries?: number | RetryOptions;
  /** Called after the tokens change: login, refresh (with the new pair), logout or a refused refresh (`undefined`). */
  readonly onTokens?: (tokens: Tokens | undefined) => void;
}

/** Options every method takes. */
export interface CallOptions {
  /** Cancels the call (the retries and the wait between them included). */
  readonly signal?: AbortSignal;
  /** Time allowed for each attempt of this call, in ms. */
  readonly timeoutMs?: number;
  /** Retries for this call, instead of the client's limit. */
  readonly retries?: number;
}

/** Options of the calls that move points and honour `Idempotency-Key`. */
export interface IdempotentCallOptions extends CallOptions {
  /**
   * The key sent as `Idempotency-Key`; a random UUID when absent. It is the same on every retry of
   * this call; pass the same key again to replay a call whose outcome you did not learn.
   */
  readonly idempotencyKey?: string;
}

/**
 * A typed client of the mpvstream HTTP API: one method per endpoint, answers validated with the
 * `@mpvstream/core` schemas, failures as {@link ProblemError}.
 */
export interface MpvstreamClient {
  /** The store the client keeps its tokens in. */
  readonly tokenStore: TokenStore;
  /**
   * `POST /auth/login`: logs in and keeps the tokens.
   * @example
   * ```ts
   * const { user } = await client.login({ email: "demo@local", password: "demo" });
   * ```
   */
  login(body: LoginRequest, options?: CallOptions): Promise<TokenResponse>;
  /**
   * `POST /auth/refresh`: trades the stored refresh token for a new pair now (calls do it by themselves on a 401).
   * @example
   * ```ts
   * await client.refresh();
   * ```
   */
  refresh(options?: CallOptions): Promise<TokenResponse>;
  /**
   * `POST /auth/logout`: revokes the stored refresh token and forgets the tokens (also when the call fails).
   * @example
   * ```ts
   * await client.logout();
   * ```
   */
  logout(options?: CallOptions): Promise<void>;
  /**
   * `GET /me`: the logged-in user.
   * @example
   * ```ts
   * const { points_balance } = await client.me();
   * ```
   */
  me(options?: CallOptions): Promise<User>;
  /**
   * `GET /me/ledger`: the user's points ledger, newest first.
   * @example
   * ```ts
   * const { entries } = await client.ledger({ limit: 20 });
   * ```
   */
  ledger(query?: { readonly limit?: number }, options?: CallOptions): Promise<LedgerResponse>;
  /**
   * `GET /streams`: all streams.
   * @example
   * ```ts
   * const { streams } = await client.listStreams();
   * ```
   */
  listStreams(options?: CallOptions): Promise<StreamsResponse>;
  /**
   * `GET /streams/{id}`: one stream; `stream_not_found` when there is none.
   * @example
   * ```ts
   * const stream = await client.getStream("demo");
   * ```
   */
  getStream(id: string, options?: CallOptions): Promise<Stream>;
  /**
   * `POST /streams` (admin): creates a stream.
   * @example
   * ```ts
   * await client.createStream({ id: "news", title: "News", points_per_minute: 5, source: { kind: "test" } });
   * ```
   */
  createStream(body: CreateStreamRequest, options?: CallOptions): Promise<Stream>;
  /**
   * `PATCH /streams/{id}` (admin): changes a stream's title, price or source.
   * @example
   * ```ts
   * await client.updateStream("news", { points_per_minute: 3 });
   * ```
   */
  updateStream(id: string, body: UpdateStreamRequest, options?: CallOptions): Promise<Stream>;
  /**
   * `DELETE /streams/{id}` (admin): deletes an offline stream.
   * @example
   * ```ts
   * await client.deleteStream("news");
   * ```
   */
  deleteStream(id: string, options?: CallOptions): Promise<void>;
  /**
   * `POST /streams/{id}/state` (admin): sets a stream live or offline.
   * @example
   * ```ts
   * await client.setStreamState("news", { state: "live" });
   * ```
   */
  setStreamState(id: string, body: StreamStateRequest, options?: CallOptions): Promise<Stream>;
  /**
   * `POST /streams/{id}/restart` (admin): restarts a stream's pipeline.
   * @example
   * ```ts
   * await client.restartStream("news");
   * ```
   */
  restartStream(id: string, options?: CallOptions): Promise<Stream>;
  /**
   * `POST /playback/start`: starts a paid session (with an `Idempotency-Key`, reused on retries).
   * @example
   * ```ts
   * const session = await client.startPlayback({ stream_id: "demo" });
   * ```
   */
  startPlayback(body: PlaybackStartRequest, options?: IdempotentCallOptions): Promise<PlaybackStartResponse>;
  /**
   * `POST /playback/renew`: renews a session, paying the next period when due (with an `Idempotency-Key`).
   * @example
   * ```ts
   * const { renew_after_s } = await client.renewPlayback({ session_id: session.session_id });
   * ```
   */
  renewPlayback(
    body: PlaybackSessionRequest,
    options?: IdempotentCallOptions,
  ): Promise<PlaybackRenewResponse>;
  /**
   * `POST /playback/stop`: ends a session.
   * @example
   * ```ts
   * await client.stopPlayback({ session_id: session.session_id });
   * ```
   */
  stopPlayback(body: PlaybackSessionRequest, options?: CallOptions): Promise<void>;
  /**
   * `GET /admin/users` (admin): all users.
   * @example
   * ```ts
   * const { users } = await client.listUsers();
   * ```
   */
  listUsers(options?: CallOptions): Promise<UsersResponse>;
  /**
   * `POST /admin/users` (admin): creates a user.
   * @example
   * ```ts
   * await client.createUser({ email: "ann@example.com", password: "long enough", role: "user" });
   * ```
   */
  createUser(body: CreateUserRequest, options?: CallOptions): Promise<User>;
  /**
   * `POST /admin/users/{id}/points` (admin): grants or corrects points (with an `Idempotency-Key`).
   * @example
   * ```ts
   * const { points_balance } = await client.changePoints(user.id, { delta: 100, reason: "welcome" });
   * ```
   */
  changePoints(
    userId: string,
    body: PointsChangeRequest,
    options?: IdempotentCallOptions,
  ): Promise<PointsBalanceResponse>;
  /**
   * `GET /admin/sessions` (admin): the active playback sessions.
   * @example
   * ```ts
   * const { sessions } = await client.listSessions();
   * ```
   */
  listSessions(options?: CallOptions): Promise<PlaybackSessionsResponse>;
  /**
   * `DELETE /admin/sessions/{id}` (admin): revokes a session at once.
   * @example
   * ```ts
   * await client.revokeSession(sessionId);
   * ```
   */
  revokeSession(sessionId: string, options?: CallOptions): Promise<void>;
  /**
   * `GET /healthz`: liveness.
   * @example
   * ```ts
   * await client.health(); // { status: "ok" }
   * ```
   */
  health(options?: CallOptions): Promise<HealthResponse>;
  /**
   * `GET /readyz`: readiness; a not-ready server rejects with `service_unavailable` (not retried unless `retries` says so).
   * @example
   * ```ts
   * await client.ready(); // { status: "ready" }
   * ```
   */
  ready(options?: CallOptions): Promise<ReadyResponse>;
  /**
   * `GET /monitoring/metrics` (admin): live figures.
   * @example
   * ```ts
   * const { active_sessions } = await client.metrics();
   * ```
   */
  metrics(options?: CallOptions): Promise<MetricsResponse>;
  /**
   * `GET /monitoring/errors` (admin): errors seen, by kind.
   * @example
   * ```ts
   * const { errors } = await client.errors();
   * ```
   */
  errors(options?: CallOptions): Promise<ErrorsResponse>;
}

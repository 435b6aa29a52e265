import { ENDPOINTS, type EndpointName } from "@mpvstream/core";
import { isProblemError } from "./errors.js";
import { parseAnswer, type Schema, Session, untilAborted } from "./session.js";
import { MemoryTokenStore } from "./tokens.js";
import { createSend, type RetryPolicy } from "./transport.js";
import type {
  CallOptions,
  ClientOptions,
  IdempotentCallOptions,
  MpvstreamClient,
  RetryOptions,
} from "./types.js";

/** The validated answer type of an endpoint: its response schema's output, or `void` for 204s. */
type Answer<N extends EndpointName> = (typeof ENDPOINTS)[N] extends { readonly response: Schema<infer T> }
  ? T
  : undefined;

/** Calls that must not be sent twice when an attempt's fate is unknown (no idempotency key, not idempotent). */
const NOT_REPLAYABLE: ReadonlySet<EndpointName> = new Set([
  "login",
  "refresh",
  "createStream",
  "createUser",
  "restartStream",
]);

interface Call {
  readonly id?: string;
  readonly body?: unknown;
  readonly query?: Record<string, string>;
  readonly idempotencyKey?: string;
  readonly options?: CallOptions | undefined;
  /** Overrides the client's retry limit when the caller gave none (readiness is not retried by default). */
  readonly defaultRetries?: number;
}

const defaultDelay = (attempt: number): number =>
  Math.min(10_000, 300 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);

function retryPolicy(retries: number | RetryOptions | undefined): RetryPolicy {
  const options = typeof retries === "number" ? { limit: retries } : (retries ?? {});
  return {
    limit: options.limit ?? 2,
    delayMs: options.delayMs ?? defaultDelay,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
  };
}

/** A fresh `Idempotency-Key`: a random UUID (crypto.getRandomValues where randomUUID is missing: non-secure browser contexts). */
function newIdempotencyKey(): string {
  if (typeof globalThis.crypto.randomUUID === "function") return globalThis.crypto.randomUUID();
  const hex = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, "0"),
  );
  return hex.join("");
}

/**
 * Creates a client of the mpvstream HTTP API.
 *
 * @example
 * ```ts
 * const client = createClient({ baseUrl: "http://127.0.0.1:8080" });
 * await client.login({ email: "demo@local", password: "demo" });
 * const session = await client.startPlayback({ stream_id: "demo" });
 * console.log(session.playback_url);
 * ```
 */
export function createClient(options: ClientOptions): MpvstreamClient {
  const tokenStore = options.tokenStore ?? new MemoryTokenStore();
  const send = createSend(String(options.baseUrl), options.fetch);
  const retry = retryPolicy(options.retries);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const session = new Session({ store: tokenStore, send, retry, timeoutMs, onTokens: options.onTokens });

  async function invoke<N extends EndpointName>(name: N, call: Call = {}): Promise<Answer<N>> {
    const endpoint = ENDPOINTS[name];
    const label = `${endpoint.method} ${endpoint.path}`;
    const path =
      call.id === undefined ? endpoint.path : endpoint.path.replace("{id}", encodeURIComponent(call.id));
    const signal = call.options?.signal;
    const limit = call.options?.retries ?? call.defaultRetries ?? retry.limit;
    const attempt = (accessToken: string | undefined): Promise<Response> => {
      const headers: Record<string, string> = {};
      if (accessToken !== undefined) headers.authorization = `Bearer ${accessToken}`;
      if (call.idempotencyKey !== undefined) headers["idempotency-key"] = call.idempotencyKey;
      return send({
        method: endpoint.method,
        path,
        label,
        body: call.body,
        query: call.query,
        headers,
        replayable: !NOT_REPLAYABLE.has(name),
        retry: { ...retry, limit },
        timeoutMs: call.options?.timeoutMs ?? timeoutMs,
        signal,
      });
    };

    let response: Response;
    if (endpoint.auth === "none") {
      response = await attempt(undefined);
    } else {
      const tokens = await session.current(label);
      try {
        response = await attempt(tokens.accessToken);
      } catch (error) {
        if (!isProblemError(error) || error.status !== 401) throw error;
        const fresh = await untilAborted(session.after401(tokens.accessToken, label), signal, label);
        response = await attempt(fresh.accessToken);
      }
    }
    const schema: Schema<unknown> | undefined = "response" in endpoint ? endpoint.response : undefined;
    if (schema === undefined) return undefined as Answer<N>;
    return (await parseAnswer(response, schema, label)) as Answer<N>;
  }

  const keyed = (options: IdempotentCallOptions | undefined): string =>
    options?.idempotencyKey ?? newIdempotencyKey();

  return {
    tokenStore,
    async login(body, options) {
      const answer = await invoke("login", { body, options });
      await session.keep(answer);
      return answer;
    },
    async refresh(options) {
      const label = `${ENDPOINTS.refresh.method} ${ENDPOINTS.refresh.path}`;
      const tokens = await session.current(label);
      return (await untilAborted(session.refresh(tokens), options?.signal, label)).answer;
    },
    async logout(options) {
      const tokens = await tokenStore.get();
      if (tokens === undefined) return;
      try {
        await invoke("logout", { body: { refresh_token: tokens.refreshToken }, options });
      } finally {
        await session.forget();
      }
    },
    me: (options) => invoke("me", { options }),
    ledger: (query, options) =>
      invoke("ledger", {
        ...(query?.limit === undefined ? {} : { query: { limit: String(query.limit) } }),
        options,
      }),
    listStreams: (options) => invoke("listStreams", { options }),
    getStream: (id, options) => invoke("getStream", { id, options }),
    createStream: (body, options) => invoke("createStream", { body, options }),
    updateStream: (id, body, options) => invoke("updateStream", { id, body, options }),
    deleteStream: (id, options) => invoke("deleteStream", { id, options }),
    setStreamState: (id, body, options) => invoke("setStreamState", { id, body, options }),
    restartStream: (id, options) => invoke("restartStream", { id, options }),
    startPlayback: (body, options) =>
      invoke("playbackStart", { body, idempotencyKey: keyed(options), options }),
    renewPlayback: (body, options) =>
      invoke("playbackRenew", { body, idempotencyKey: keyed(options), options }),
    stopPlayback: (body, options) => invoke("playbackStop", { body, options }),
    listUsers: (options) => invoke("listUsers", { options }),
    createUser: (body, options) => invoke("createUser", { body, options }),
    changePoints: (userId, body, options) =>
      invoke("changePoints", { id: userId, body, idempotencyKey: keyed(options), options }),
    listSessions: (options) => invoke("listSessions", { options }),
    revokeSession: (sessionId, options) => invoke("revokeSession", { id: sessionId, options }),
    health: (options) => invoke("health", { options }),
    ready: (options) => invoke("ready", { options, defaultRetries: 0 }),
    metrics: (options) => invoke("metrics", { options }),
    errors: (options) => invoke("errors", { options }),
  };
}

import { isErrorCode, type Problem, ProblemSchema } from "@mpvstream/core";
import ky, { isHTTPError, isTimeoutError } from "ky";
import { isProblemError, ProblemError } from "./errors.js";

/** How a call retries lost requests and 503 answers, resolved from the client's options. */
export interface RetryPolicy {
  readonly limit: number;
  readonly delayMs: (attempt: number) => number;
  readonly maxRetryAfterMs: number;
}

/** One HTTP exchange as the client asks for it (retries included, 401 handling not). */
export interface Exchange {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  /** The path with its parameters filled in and encoded. */
  readonly path: string;
  /** `METHOD /template/{id}` for messages: parameters (session ids) stay out of errors and logs. */
  readonly label: string;
  readonly query?: Record<string, string> | undefined;
  readonly body?: unknown;
  readonly headers: Record<string, string>;
  /** Whether a request that may have reached the server can be sent again (network errors). */
  readonly replayable: boolean;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** Statuses whose answers have no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * Reads each answer's body inside the fetch, so that ky's per-attempt timeout covers the body
 * too and a connection dropped mid-body is a failed attempt that can be retried.
 */
function bufferingFetch(inner: typeof globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const body = NULL_BODY.has(response.status) ? null : await response.arrayBuffer();
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** Parses `Retry-After` (delta-seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A fallback code for error answers that are not problem documents (a proxy's HTML page). */
const STATUS_FALLBACK: Readonly<
  Record<number, "payload_too_large" | "rate_limited" | "service_unavailable">
> = { 413: "payload_too_large", 429: "rate_limited", 503: "service_unavailable" };

/** Reads a problem document leniently: strict first, then any object with a known code (extension members allowed). */
function readProblem(json: unknown, status: number): Problem | undefined {
  const strict = ProblemSchema.safeParse(json);
  if (strict.success) return strict.data;
  if (typeof json !== "object" || json === null) return undefined;
  const loose = json as Record<string, unknown>;
  if (!isErrorCode(loose.code)) return undefined;
  const text = (key: string): string => (typeof loose[key] === "string" ? (loose[key] as string) : "");
  return { type: text("type"), title: text("title"), status, detail: text("detail"), code: loose.code };
}

async function errorFromAnswer(response: Response, label: string): Promise<ProblemError> {
  const status = response.status;
  const wait = retryAfterMs(response.headers.get("retry-after"));
  let json: unknown;
  try {
    json = JSON.parse(await response.text());
  } catch {
    json = undefined;
  }
  const problem = readProblem(json, status);
  if (problem !== undefined) {
    const detail = problem.detail === "" ? problem.title : problem.detail;
    return new ProblemError(problem.code, `${label}: ${status} ${problem.code}: ${detail}`, {
      status,
      problem,
      retryAfterMs: wait,
    });
  }
  const fallback = STATUS_FALLBACK[status];
  if (fallback !== undefined) {
    return new ProblemError(fallback, `${label}: ${status} without a problem document`, {
      status,
      retryAfterMs: wait,
    });
  }
  return new ProblemError("invalid_response", `${label}: ${status} without a problem document`, {
    status,
    cause: json,
  });
}

function abortError(signal: AbortSignal, label: string): ProblemError {
  const reason: unknown = signal.reason;
  const timedOut = typeof reason === "object" && reason !== null && (reason as Error).name === "TimeoutError";
  return timedOut
    ? new ProblemError("timeout", `${label}: the caller's signal timed out`, { cause: reason })
    : new ProblemError("aborted", `${label}: aborted by the caller`, { cause: reason });
}

async function toProblemError(error: unknown, exchange: Exchange, label: string): Promise<ProblemError> {
  if (isProblemError(error)) return error;
  if (exchange.signal?.aborted === true) return abortError(exchange.signal, label);
  if (isTimeoutError(error)) {
    return new ProblemError("timeout", `${label}: no answer within ${exchange.timeoutMs} ms`, {
      cause: error,
    });
  }
  if (isHTTPError(error)) return errorFromAnswer(error.response, label);
  return new ProblemError("network_error", `${label}: the request or its answer was lost`, { cause: error });
}

/** Decides, for one failed attempt, whether ky tries again (`undefined`: ky's rules, which honour `Retry-After`). */
async function shouldRetry(error: Error, exchange: Exchange): Promise<boolean | undefined> {
  if (exchange.signal?.aborted === true || isTimeoutError(error)) return false;
  if (!isHTTPError(error)) return exchange.replayable ? undefined : false;
  const { status, headers } = error.response;
  if (status === 503) {
    const wait = retryAfterMs(headers.get("retry-after"));
    return wait !== undefined && wait > exchange.retry.maxRetryAfterMs ? false : undefined;
  }
  if (status === 409 && exchange.headers["idempotency-key"] !== undefined) {
    // The first request with this key is still running (a lost answer we retried too early): wait for it.
    const body: unknown = await error.response
      .clone()
      .json()
      .catch(() => undefined);
    return (body as { code?: unknown } | undefined)?.code === "idempotency_in_progress";
  }
  return false;
}

/** Sends exchanges through ky with the client's fetch, timeouts and retry rules; failures become {@link ProblemError}s. */
export type Send = (exchange: Exchange) => Promise<Response>;

/** Builds the {@link Send} function of one client. */
export function createSend(baseUrl: string, fetchImpl: typeof globalThis.fetch | undefined): Send {
  const inner = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  const http = ky.create({ fetch: bufferingFetch(inner), throwHttpErrors: true });
  const base = baseUrl.replace(/\/+$/, "");
  return async (exchange) => {
    const label = exchange.label;
    try {
      return await http(base + exchange.path, {
        method: exchange.method,
        headers: exchange.headers,
        ...(exchange.body === undefined ? {} : { json: exchange.body }),
        ...(exchange.query === undefined ? {} : { searchParams: exchange.query }),
        ...(exchange.signal === undefined ? {} : { signal: exchange.signal }),
        timeout: exchange.timeoutMs,
        retry: {
          limit: exchange.retry.limit,
          methods: ["get", "post", "patch", "delete"],
          statusCodes: [503],
          afterStatusCodes: [503],
          delay: exchange.retry.delayMs,
          retryOnTimeout: false,
          shouldRetry: ({ error }) => shouldRetry(error, exchange),
        },
      });
    } catch (error) {
      throw await toProblemError(error, exchange, label);
    }
  };
}

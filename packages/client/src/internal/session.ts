import { ENDPOINTS, type TokenResponse, TokenResponseSchema } from "@mpvstream/core";
import { ProblemError } from "./errors.js";
import type { TokenStore, Tokens } from "./tokens.js";
import type { RetryPolicy, Send } from "./transport.js";

/** What a refresh produced: the server's answer and the tokens now stored. */
interface Refreshed {
  readonly answer: TokenResponse;
  readonly tokens: Tokens;
}

/** Settings a refresh runs with: it is shared by every waiting call, so no caller's signal applies to it. */
export interface SessionSettings {
  readonly store: TokenStore;
  readonly send: Send;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly onTokens: ((tokens: Tokens | undefined) => void) | undefined;
}

/** Resolves with the promise, or rejects as soon as the signal fires (the promise keeps running for others). */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  label: string,
): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void =>
      reject(new ProblemError("aborted", `${label}: aborted by the caller`, { cause: signal.reason }));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Keeps the tokens of one client: stores login and refresh answers, and runs at most one refresh
 * at a time, which every call refused with a 401 meanwhile waits for.
 */
export class Session {
  readonly #settings: SessionSettings;
  #inflight: Promise<Refreshed> | undefined;

  constructor(settings: SessionSettings) {
    this.#settings = settings;
  }

  /** Stores the tokens of a login or refresh answer. */
  async keep(answer: TokenResponse): Promise<Tokens> {
    const tokens: Tokens = {
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token,
      expiresAt: Date.now() + answer.expires_in * 1000,
    };
    await this.#settings.store.set(tokens);
    this.#settings.onTokens?.(tokens);
    return tokens;
  }

  /** Forgets the tokens. */
  async forget(): Promise<void> {
    await this.#settings.store.clear();
    this.#settings.onTokens?.(undefined);
  }

  /** The stored tokens, or `not_logged_in`. */
  async current(label: string): Promise<Tokens> {
    const tokens = await this.#settings.store.get();
    if (tokens === undefined) throw new ProblemError("not_logged_in", `${label}: log in first`);
    return tokens;
  }

  /** Refreshes now, or joins the refresh already running. */
  refresh(tokens: Tokens): Promise<Refreshed> {
    this.#inflight ??= this.#refresh(tokens.refreshToken).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /**
   * Tokens to retry with after `usedAccessToken` was refused: those of a refresh that happened
   * meanwhile, else those of one new refresh shared by every caller.
   */
  async after401(usedAccessToken: string, label: string): Promise<Tokens> {
    while (this.#inflight !== undefined) await this.#inflight;
    const current = await this.current(label);
    if (current.accessToken !== usedAccessToken) return current;
    return (await this.refresh(current)).tokens;
  }

  async #refresh(refreshToken: string): Promise<Refreshed> {
    const { method, path } = ENDPOINTS.refresh;
    const label = `${method} ${path}`;
    let response: Response;
    try {
      response = await this.#settings.send({
        method,
        path,
        label,
        body: { refresh_token: refreshToken },
        headers: {},
        // A refresh that reached the server rotated the token: sending the old one again would revoke the family.
        replayable: false,
        retry: this.#settings.retry,
        timeoutMs: this.#settings.timeoutMs,
      });
    } catch (error) {
      if (error instanceof ProblemError && error.status === 401) await this.forget();
      throw error;
    }
    const answer = await parseAnswer(response, TokenResponseSchema, label);
    return { answer, tokens: await this.keep(answer) };
  }
}

/** The part of a zod schema the client uses, so the package needs no direct zod import. */
export interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: unknown };
}

/** Reads and validates a success answer; a broken one is `invalid_response`, never a crash. */
export async function parseAnswer<T>(response: Response, schema: Schema<T>, label: string): Promise<T> {
  let json: unknown;
  try {
    json = JSON.parse(await response.text());
  } catch (error) {
    throw new ProblemError("invalid_response", `${label}: the answer is not JSON`, {
      status: response.status,
      cause: error,
    });
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  throw new ProblemError("invalid_response", `${label}: the answer does not match the API schema`, {
    status: response.status,
    cause: result.error,
  });
}

/** A token pair as the client keeps it between calls (and, with a persistent store, between runs). */
export interface Tokens {
  /** The short-lived bearer token sent with every authenticated call. */
  readonly accessToken: string;
  /** The rotating refresh token, traded for a new pair when the access token is refused. */
  readonly refreshToken: string;
  /** When the access token expires, in ms since the epoch by the client's clock (informative only). */
  readonly expiresAt?: number;
}

/**
 * Where the client keeps its tokens. Methods may be synchronous or return promises, so a store
 * can be a variable, `localStorage`, or a file (the CLI player keeps its tokens in one).
 *
 * @example
 * ```ts
 * const fileStore: TokenStore = {
 *   async get() { try { return JSON.parse(await readFile(path, "utf8")); } catch { return undefined; } },
 *   async set(tokens) { await writeFile(path, JSON.stringify(tokens), { mode: 0o600 }); },
 *   async clear() { await rm(path, { force: true }); },
 * };
 * ```
 */
export interface TokenStore {
  /** The current tokens, or `undefined` when logged out. */
  get(): Promise<Tokens | undefined> | Tokens | undefined;
  /** Replaces the tokens (after login or refresh). */
  set(tokens: Tokens): Promise<void> | void;
  /** Forgets the tokens (after logout, or when the refresh token is refused). */
  clear(): Promise<void> | void;
}

/**
 * A {@link TokenStore} that keeps the tokens in memory: the default, and what a browser tab
 * or a short script wants.
 *
 * @example
 * ```ts
 * const client = createClient({ baseUrl, tokenStore: new MemoryTokenStore() });
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  #tokens: Tokens | undefined;

  /**
   * Creates a store, optionally holding tokens already.
   *
   * @example
   * ```ts
   * const store = new MemoryTokenStore({ accessToken: "...", refreshToken: "..." });
   * ```
   */
  constructor(tokens?: Tokens) {
    this.#tokens = tokens;
  }

  /**
   * Returns the tokens held, if any.
   *
   * @example
   * ```ts
   * store.get()?.accessToken;
   * ```
   */
  get(): Tokens | undefined {
    return this.#tokens;
  }

  /**
   * Holds new tokens.
   *
   * @example
   * ```ts
   * store.set({ accessToken: "a", refreshToken: "r" });
   * ```
   */
  set(tokens: Tokens): void {
    this.#tokens = tokens;
  }

  /**
   * Forgets the tokens.
   *
   * @example
   * ```ts
   * store.clear();
   * ```
   */
  clear(): void {
    this.#tokens = undefined;
  }
}

import type { JWK } from "jose";
import { TokenError } from "./errors.js";
import {
  checkKid,
  type GenerateKeyOptions,
  generateSigningKey,
  importSigningKey,
  type PrivateJwk,
  type SigningKey,
} from "./keys.js";

/** The persisted form of a {@link KeySet}: a private JWKS plus the `kid` of the active key. */
export interface KeySetJson {
  /** The kid that signs new tokens. */
  active: string;
  /** Every key still verifying, private halves included. */
  keys: PrivateJwk[];
}

/** A public JWK Set, as served at a `jwks.json` endpoint. */
export interface PublicJwks {
  /** The public keys (Ed25519 only; HMAC secrets are never published). */
  keys: JWK[];
}

/**
 * Several signing keys by `kid`: one active key signs, the others keep verifying until retired.
 * `kid` only ever selects from this set; nothing in a token can add a key to it.
 *
 * @example
 * ```ts
 * const keys = existsSync(file)
 *   ? await KeySet.fromJSON(JSON.parse(readFileSync(file, "utf8")))
 *   : await KeySet.generate();
 * writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
 * ```
 */
export class KeySet {
  readonly #keys = new Map<string, SigningKey>();
  #active: SigningKey;

  private constructor(keys: readonly SigningKey[], activeKid: string) {
    for (const key of keys) {
      if (this.#keys.has(key.kid)) throw new TokenError("invalid_key", `duplicate kid ${key.kid}`);
      this.#keys.set(key.kid, key);
    }
    const active = this.#keys.get(activeKid);
    if (!active) throw new TokenError("invalid_key", `active kid ${activeKid} is not in the key set`);
    this.#active = active;
  }

  /**
   * A key set holding one new key, active.
   *
   * @example
   * ```ts
   * const keys = await KeySet.generate(); // one Ed25519 key
   * ```
   */
  static async generate(options: GenerateKeyOptions = {}): Promise<KeySet> {
    const key = await generateSigningKey(options);
    return new KeySet([key], key.kid);
  }

  /**
   * A key set from existing keys; the active one is `activeKid`, or the last key.
   *
   * @example
   * ```ts
   * const keys = KeySet.of([oldKey, newKey]); // newKey signs, oldKey still verifies
   * ```
   */
  static of(keys: readonly SigningKey[], activeKid?: string): KeySet {
    const last = keys.at(-1);
    if (!last) throw new TokenError("invalid_key", "a key set needs at least one key");
    return new KeySet(keys, activeKid ?? last.kid);
  }

  /**
   * Imports what {@link KeySet.toJSON} wrote (a private JWKS with `active`); every key is checked.
   *
   * @example
   * ```ts
   * const keys = await KeySet.fromJSON(JSON.parse(await readFile(file, "utf8")));
   * ```
   */
  static async fromJSON(json: unknown): Promise<KeySet> {
    if (typeof json !== "object" || json === null)
      throw new TokenError("invalid_key", "a key set must be an object");
    const { keys, active } = json as { keys?: unknown; active?: unknown };
    if (!Array.isArray(keys) || keys.length === 0)
      throw new TokenError("invalid_key", "a key set needs keys");
    if (typeof active !== "string") throw new TokenError("invalid_key", "a key set needs an active kid");
    const imported = await Promise.all(keys.map((jwk: unknown) => importSigningKey(jwk)));
    return new KeySet(imported, active);
  }

  /** The key that signs new tokens. */
  get active(): SigningKey {
    return this.#active;
  }

  /** Every key that still verifies, the active one included. */
  get keys(): SigningKey[] {
    return [...this.#keys.values()];
  }

  /**
   * The key with this `kid`, or `undefined`; this is the only way a token's `kid` reaches a key.
   *
   * @example
   * ```ts
   * const key = keys.get(header.kid);
   * ```
   */
  get(kid: string): SigningKey | undefined {
    return this.#keys.get(kid);
  }

  /**
   * Adds a new key (same algorithm as the active one unless told) and makes it active; the previous
   * keys keep verifying until {@link KeySet.retire} removes them.
   *
   * @example
   * ```ts
   * const next = await keys.rotate();
   * // later, once tokens signed by the old key have expired:
   * keys.retire(previousKid);
   * ```
   */
  async rotate(options: GenerateKeyOptions = {}): Promise<SigningKey> {
    const key = await generateSigningKey({ alg: this.#active.alg, ...options });
    if (this.#keys.has(key.kid))
      throw new TokenError("invalid_options", `kid ${key.kid} is already in the key set`);
    this.#keys.set(key.kid, key);
    this.#active = key;
    return key;
  }

  /**
   * Removes a key: tokens it signed are refused with `unknown_key` from now on (cached ones too).
   * The active key cannot be retired; rotate first.
   *
   * @example
   * ```ts
   * keys.retire("2024-12");
   * ```
   */
  retire(kid: string): boolean {
    checkKid(kid);
    if (kid === this.#active.kid) throw new TokenError("invalid_options", "the active key cannot be retired");
    return this.#keys.delete(kid);
  }

  /**
   * The private JWKS for persistence (`JSON.stringify(keys)` calls it); store it with mode 0600.
   *
   * @example
   * ```ts
   * await writeFile(file, JSON.stringify(keys.toJSON()), { mode: 0o600 });
   * ```
   */
  toJSON(): KeySetJson {
    return { active: this.#active.kid, keys: this.keys.map((key) => key.exportPrivateJwk()) };
  }

  /**
   * The public JWKS to publish (Ed25519 keys only).
   *
   * @example
   * ```ts
   * app.get("/.well-known/jwks.json", (_req, res) => res.json(keys.publicJwks()));
   * ```
   */
  publicJwks(): PublicJwks {
    return { keys: this.keys.flatMap((key) => key.publicJwk() ?? []) };
  }
}

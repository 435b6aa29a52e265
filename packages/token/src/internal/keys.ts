import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { encodeBase64url, isCanonicalBase64url } from "./base64url.js";
import { TokenError } from "./errors.js";

/** The JWS algorithms this package signs and verifies with: Ed25519 by default, HMAC as an option. */
export type SigningAlgorithm = "EdDSA" | "HS256";

/** Options of {@link generateSigningKey} and {@link KeySet.generate}. */
export interface GenerateKeyOptions {
  /** `"EdDSA"` (Ed25519, default; the public half can be published) or `"HS256"` (shared secret). */
  alg?: SigningAlgorithm;
  /** Key id; a random 128-bit base64url id by default. */
  kid?: string;
}

/** A private JWK as this package stores it: always with `kid` and `alg`, so the key is bound to one algorithm. */
export type PrivateJwk = JWK & { kid: string; alg: SigningAlgorithm };

const MIN_HMAC_BYTES = 32;
const KID = /^[\x21-\x7e]{1,128}$/;

/**
 * One key bound to exactly one algorithm, identified by `kid`. Create it with
 * {@link generateSigningKey} or import it with {@link importSigningKey}; the private material is
 * only reachable through {@link SigningKey.exportPrivateJwk}, so logging the object leaks nothing.
 *
 * @example
 * ```ts
 * const key = await generateSigningKey({ kid: "2025-01" });
 * console.log(key.kid, key.alg, key.publicJwk());
 * ```
 */
export class SigningKey {
  /** The key id carried in the `kid` header of everything this key signs. */
  readonly kid: string;
  /** The one algorithm this key signs and verifies with. */
  readonly alg: SigningAlgorithm;
  /** The Web Crypto key used to sign (the Ed25519 private key or the HMAC secret). */
  readonly signingKey: CryptoKey;
  /** The Web Crypto key used to verify (the Ed25519 public key or the HMAC secret). */
  readonly verificationKey: CryptoKey;
  readonly #jwk: PrivateJwk;

  private constructor(jwk: PrivateJwk, signingKey: CryptoKey, verificationKey: CryptoKey) {
    this.kid = jwk.kid;
    this.alg = jwk.alg;
    this.#jwk = jwk;
    this.signingKey = signingKey;
    this.verificationKey = verificationKey;
  }

  /** @internal Builds a key from a validated private JWK. */
  static async fromPrivateJwk(jwk: PrivateJwk): Promise<SigningKey> {
    if (jwk.alg === "HS256") {
      const secret = decodeBase64url(jwk.k ?? "");
      const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, [
        "sign",
        "verify",
      ]);
      return new SigningKey(jwk, key, key);
    }
    const privateKey = (await importJWK(jwk, "EdDSA")) as CryptoKey;
    const publicKey = (await importJWK(
      { kty: "OKP", crv: "Ed25519", x: jwk.x as string },
      "EdDSA",
    )) as CryptoKey;
    return new SigningKey(jwk, privateKey, publicKey);
  }

  /**
   * The private JWK (with `kid`, `alg` and `use: "sig"`), for persistence; keep it secret.
   *
   * @example
   * ```ts
   * await writeFile(path, JSON.stringify(key.exportPrivateJwk()), { mode: 0o600 });
   * ```
   */
  exportPrivateJwk(): PrivateJwk {
    return { ...this.#jwk };
  }

  /**
   * The public JWK for a JWKS, or `undefined` for an HS256 key (a shared secret is never published).
   *
   * @example
   * ```ts
   * const jwk = key.publicJwk(); // { kty: "OKP", crv: "Ed25519", x, kid, alg: "EdDSA", use: "sig" }
   * ```
   */
  publicJwk(): JWK | undefined {
    if (this.alg !== "EdDSA") return undefined;
    const { kty, crv, x, kid, alg } = this.#jwk;
    return { kty, crv, x, kid, alg, use: "sig" } as JWK;
  }
}

/**
 * Generates a new signing key: Ed25519 (`EdDSA`) by default, or a 256-bit HMAC secret (`HS256`).
 *
 * @example
 * ```ts
 * const key = await generateSigningKey(); // EdDSA, random kid
 * const hmac = await generateSigningKey({ alg: "HS256", kid: "h1" });
 * ```
 */
export async function generateSigningKey(options: GenerateKeyOptions = {}): Promise<SigningKey> {
  const alg = options.alg ?? "EdDSA";
  const kid = options.kid ?? randomId();
  checkKid(kid);
  if (alg === "HS256") {
    const k = encodeBase64url(crypto.getRandomValues(new Uint8Array(MIN_HMAC_BYTES)));
    return SigningKey.fromPrivateJwk({ kty: "oct", k, kid, alg, use: "sig" });
  }
  if (alg !== "EdDSA") throw new TokenError("invalid_options", `unsupported algorithm ${String(alg)}`);
  const pair = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const { kty, crv, x, d } = await exportJWK(pair.privateKey);
  return SigningKey.fromPrivateJwk({ kty, crv, x, d, kid, alg, use: "sig" } as PrivateJwk);
}

/**
 * Imports one private JWK (as written by {@link SigningKey.exportPrivateJwk}): it must carry `kid`
 * and `alg`, hold a usable key for that algorithm, and sign something its own public half verifies.
 *
 * @example
 * ```ts
 * const key = await importSigningKey(JSON.parse(await readFile(path, "utf8")));
 * ```
 */
export async function importSigningKey(value: unknown): Promise<SigningKey> {
  const jwk = validateJwk(value);
  let key: SigningKey;
  try {
    key = await SigningKey.fromPrivateJwk(jwk);
    const probe = await new CompactSign(new TextEncoder().encode("probe"))
      .setProtectedHeader({ alg: key.alg })
      .sign(key.signingKey);
    await compactVerify(probe, key.verificationKey, { algorithms: [key.alg] });
  } catch (cause) {
    throw new TokenError("invalid_key", `key ${jwk.kid} cannot be imported`, { cause });
  }
  return key;
}

function validateJwk(value: unknown): PrivateJwk {
  if (typeof value !== "object" || value === null)
    throw new TokenError("invalid_key", "a JWK must be an object");
  const jwk = value as Record<string, unknown>;
  if (typeof jwk.kid !== "string" || !KID.test(jwk.kid))
    throw new TokenError("invalid_key", "a JWK needs a kid");
  const kid = jwk.kid;
  if (jwk.use !== undefined && jwk.use !== "sig")
    throw new TokenError("invalid_key", `key ${kid} is not a signing key`);
  if (jwk.alg === "EdDSA") {
    if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || !isB64(jwk.x, 32) || !isB64(jwk.d, 32)) {
      throw new TokenError("invalid_key", `key ${kid} is not an Ed25519 private key`);
    }
    return {
      kty: "OKP",
      crv: "Ed25519",
      x: jwk.x as string,
      d: jwk.d as string,
      kid,
      alg: "EdDSA",
      use: "sig",
    };
  }
  if (jwk.alg === "HS256") {
    if (jwk.kty !== "oct" || typeof jwk.k !== "string" || !isCanonicalBase64url(jwk.k)) {
      throw new TokenError("invalid_key", `key ${kid} is not an HMAC secret`);
    }
    if (decodeBase64url(jwk.k).length < MIN_HMAC_BYTES) {
      throw new TokenError(
        "invalid_key",
        `key ${kid}: an HS256 secret needs at least ${MIN_HMAC_BYTES} bytes`,
      );
    }
    return { kty: "oct", k: jwk.k, kid, alg: "HS256", use: "sig" };
  }
  throw new TokenError("invalid_key", `key ${kid}: alg must be "EdDSA" or "HS256"`);
}

function isB64(value: unknown, bytes: number): boolean {
  return typeof value === "string" && isCanonicalBase64url(value) && decodeBase64url(value).length === bytes;
}

/** @internal */
export function checkKid(kid: string): void {
  if (!KID.test(kid))
    throw new TokenError("invalid_options", "kid must be 1 to 128 printable ASCII characters");
}

function randomId(): string {
  return encodeBase64url(crypto.getRandomValues(new Uint8Array(16)));
}

function decodeBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

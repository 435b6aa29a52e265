import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** scrypt cost parameters: OWASP's N=2^17, r=8, p=1 by default. */
export interface PasswordCost {
  /** log2 of N. */
  log2N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/** OWASP Password Storage Cheat Sheet parameters for scrypt. */
export const OWASP_SCRYPT: PasswordCost = { log2N: 17, r: 8, p: 1 };

const KEY_LENGTH = 32;

const derive = (password: string, salt: Buffer, cost: PasswordCost): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const N = 2 ** cost.log2N;
    // scrypt needs 128 * N * r bytes; the default maxmem (32 MiB) is too small for N = 2^17.
    const maxmem = 128 * N * cost.r * 2;
    scrypt(password.normalize("NFC"), salt, KEY_LENGTH, { N, r: cost.r, p: cost.p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });

/**
 * Hashes a password with scrypt and a random salt, as `scrypt$<log2N>$<r>$<p>$<salt>$<hash>`
 * (base64url), so that the parameters travel with the hash and can be raised later.
 *
 * @example
 * ```ts
 * const stored = await hashPassword("correct horse"); // "scrypt$17$8$1$..."
 * ```
 */
export async function hashPassword(password: string, cost: PasswordCost = OWASP_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return ["scrypt", cost.log2N, cost.r, cost.p, salt.toString("base64url"), key.toString("base64url")].join(
    "$",
  );
}

/**
 * Checks a password against a stored hash in constant time; a malformed hash never matches.
 *
 * @example
 * ```ts
 * if (!(await verifyPassword(body.password, user.password_hash))) throw invalidCredentials();
 * ```
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [log2N, r, p] = parts.slice(1, 4).map(Number);
  if (!log2N || !r || !p || log2N > 22 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4] ?? "", "base64url");
  const expected = Buffer.from(parts[5] ?? "", "base64url");
  const actual = await derive(password, salt, { log2N, r, p });
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

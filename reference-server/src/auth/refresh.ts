import { createHash, randomBytes } from "node:crypto";

// The refresh-token helpers of @mpvstream/token live on its `/node` subpath, which the root
// vitest aliases do not map yet; these two functions produce the same format (256 random bits,
// base64url; stored as SHA-256, base64url) so the server can switch to the package unchanged.

const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** A new opaque refresh token and the hash to store. */
export function createRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: createHash("sha256").update(token).digest("base64url") };
}

/** The stored hash of a presented refresh token, or `undefined` when it cannot be one of ours. */
export function hashRefreshToken(token: string): string | undefined {
  if (!REFRESH_TOKEN.test(token)) return undefined;
  return createHash("sha256").update(token).digest("base64url");
}

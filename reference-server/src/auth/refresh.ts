import { createRefreshToken, hashRefreshToken as hashOrThrow } from "@mpvstream/token/node";

export { createRefreshToken };

/** The stored hash of a presented refresh token, or `undefined` when it cannot be one of ours. */
export function hashRefreshToken(token: string): string | undefined {
  try {
    return hashOrThrow(token);
  } catch {
    return undefined;
  }
}

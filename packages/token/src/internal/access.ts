import { SignJWT } from "jose";
import { VerifiedCache } from "./cache.js";
import { TokenError } from "./errors.js";
import type { KeySet } from "./key-set.js";
import type { SigningKey } from "./keys.js";
import { verifyJwt } from "./verify-jws.js";

/** The `typ` header of access tokens (RFC 9068); other token kinds use other values. */
export const ACCESS_TOKEN_TYPE = "at+jwt";
const MAX_LEEWAY_SECONDS = 60;

/** The verified claims of an access token. */
export interface AccessClaims<Role extends string = string> {
  /** Issuer. */
  readonly iss: string;
  /** Audience. */
  readonly aud: string;
  /** Subject: the user id. */
  readonly sub: string;
  /** The user's role. */
  readonly role: Role;
  /** Token id, for revocation. */
  readonly jti: string;
  /** Issued at, Unix seconds. */
  readonly iat: number;
  /** Expires at, Unix seconds. */
  readonly exp: number;
}

/** What {@link AccessTokens.sign} returns. */
export interface SignedAccessToken<Role extends string = string> {
  /** The compact JWT, for `Authorization: Bearer`. */
  token: string;
  /** The claims it carries. */
  claims: AccessClaims<Role>;
  /** Seconds until it expires (the `expires_in` of an OAuth token response). */
  expiresIn: number;
}

/** Options of {@link createAccessTokens}. */
export interface AccessTokenOptions<Role extends string = string> {
  /** Keys: the active one signs, all of them verify. Rotation and retirement apply at once. */
  keys: KeySet;
  /** `iss` written and required. */
  issuer: string;
  /** `aud` written and required. */
  audience: string;
  /** Lifetime of a token; 900 s by default. */
  ttlSeconds?: number;
  /** Clock skew tolerated on `exp`, `nbf` and `iat`; 5 s by default, at most 60 s. */
  leewaySeconds?: number;
  /** Current time in milliseconds since the epoch; `Date.now` by default. */
  clock?: () => number;
  /** The verified-token cache: `{ max }` entries (10,000 by default), or `false` for none. */
  cache?: { max?: number } | false;
  /**
   * Called on every successful verification, cached or not; returning true refuses the token with
   * `revoked` (a revoked `jti`, or `claims.iat` before the user's last logout). Keep it synchronous
   * and cheap: it runs on every request.
   */
  isDenied?: (claims: AccessClaims<Role>) => boolean;
  /** The roles that may appear in tokens; any role string when absent. */
  roles?: readonly Role[];
}

/** Counters of the verified-token cache, for metrics. */
export interface AccessTokenCacheStats {
  /** Verifications answered from the cache. */
  readonly hits: number;
  /** Verifications that ran the full signature check. */
  readonly misses: number;
  /** Entries currently cached. */
  readonly size: number;
}

/** Signs and verifies access tokens; made by {@link createAccessTokens}. */
export interface AccessTokens<Role extends string = string> {
  /** Signs a new access token with the active key. */
  sign(claims: { sub: string; role: Role }): Promise<SignedAccessToken<Role>>;
  /** Verifies a token (from the cache when it was verified before), or rejects with a {@link TokenError}. */
  verify(token: string): Promise<AccessClaims<Role>>;
  /** Cache counters. */
  readonly stats: AccessTokenCacheStats;
}

interface Cached<Role extends string> {
  claims: AccessClaims<Role>;
  key: SigningKey;
}

/**
 * Access tokens (JWT, `typ: at+jwt`, EdDSA or HS256 by the active key) with a verified-token cache:
 * verifying a token seen before costs a map lookup, never outlives `exp` or the key's retirement,
 * and still passes through `isDenied`.
 *
 * @example
 * ```ts
 * const tokens = createAccessTokens({ keys, issuer: "https://tv.example", audience: "mpvstream" });
 * const { token, expiresIn } = await tokens.sign({ sub: user.id, role: "user" });
 * const claims = await tokens.verify(token); // { sub, role, jti, iat, exp, iss, aud }
 * ```
 */
export function createAccessTokens<Role extends string = string>(
  options: AccessTokenOptions<Role>,
): AccessTokens<Role> {
  const { keys, issuer, audience, isDenied, roles } = options;
  const ttl = options.ttlSeconds ?? 900;
  const leeway = options.leewaySeconds ?? 5;
  const clock = options.clock ?? Date.now;
  if (typeof issuer !== "string" || issuer === "")
    throw new TokenError("invalid_options", "issuer is required");
  if (typeof audience !== "string" || audience === "")
    throw new TokenError("invalid_options", "audience is required");
  if (!Number.isInteger(ttl) || ttl < 1)
    throw new TokenError("invalid_options", "ttlSeconds must be a positive integer");
  if (!Number.isInteger(leeway) || leeway < 0 || leeway > MAX_LEEWAY_SECONDS) {
    throw new TokenError(
      "invalid_options",
      `leewaySeconds must be an integer from 0 to ${MAX_LEEWAY_SECONDS}`,
    );
  }
  const max = options.cache === false ? 0 : (options.cache?.max ?? 10_000);
  if (!Number.isInteger(max) || max < 0)
    throw new TokenError("invalid_options", "cache.max must be an integer >= 0");
  const cache = max > 0 ? new VerifiedCache<Cached<Role>>(max) : undefined;
  const allowedRoles = roles ? new Set<string>(roles) : undefined;
  let hits = 0;
  let misses = 0;

  const checkRole = (role: unknown): role is Role =>
    typeof role === "string" && role !== "" && (!allowedRoles || allowedRoles.has(role));

  const deny = (claims: AccessClaims<Role>): Promise<never> =>
    Promise.reject(new TokenError("revoked", "the token has been revoked", { cause: { jti: claims.jti } }));

  async function verifyFully(token: string): Promise<AccessClaims<Role>> {
    misses++;
    let key: SigningKey | undefined;
    const payload = await verifyJwt(
      token,
      (header) => (key = typeof header.kid === "string" ? keys.get(header.kid) : undefined),
      { typ: ACCESS_TOKEN_TYPE, issuer, audience, leewaySeconds: leeway, now: clock() },
    );
    const { sub, role, jti, iat, exp, aud } = payload;
    if (typeof sub !== "string" || sub === "" || typeof jti !== "string" || jti === "") {
      throw new TokenError("missing_claim", "an access token needs sub and jti");
    }
    if (!checkRole(role)) throw new TokenError("invalid_claim", "the token's role is not allowed");
    if (typeof aud !== "string") throw new TokenError("invalid_claim", "aud must be a single string");
    const claims: AccessClaims<Role> = Object.freeze({
      iss: issuer,
      aud,
      sub,
      role,
      jti,
      iat: iat as number,
      exp: exp as number,
    });
    if (isDenied?.(claims)) return deny(claims);
    if (cache && key && clock() < claims.exp * 1000) cache.set(token, { claims, key });
    return claims;
  }

  return {
    async sign({ sub, role }) {
      if (typeof sub !== "string" || sub === "")
        throw new TokenError("invalid_options", "sub must be a non-empty string");
      if (!checkRole(role)) throw new TokenError("invalid_options", `role ${String(role)} is not allowed`);
      const key = keys.active;
      const iat = Math.floor(clock() / 1000);
      const claims: AccessClaims<Role> = Object.freeze({
        iss: issuer,
        aud: audience,
        sub,
        role,
        jti: crypto.randomUUID(),
        iat,
        exp: iat + ttl,
      });
      const token = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
        .sign(key.signingKey);
      return { token, claims, expiresIn: ttl };
    },

    verify(token) {
      const entry = cache?.get(token);
      if (entry !== undefined) {
        if (clock() < entry.claims.exp * 1000 && keys.get(entry.key.kid) === entry.key) {
          hits++;
          try {
            return isDenied?.(entry.claims) ? deny(entry.claims) : Promise.resolve(entry.claims);
          } catch (error) {
            return Promise.reject(error);
          }
        }
        cache?.delete(token);
      }
      return verifyFully(token);
    },

    get stats() {
      return { hits, misses, size: cache?.size ?? 0 };
    },
  };
}

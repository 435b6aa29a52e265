import { createHmac, timingSafeEqual } from "node:crypto";
import { TokenError } from "./errors.js";

/** Traversal and encoding tricks, refused before anything else is looked at. */
const FORBIDDEN = /\.\.|\/\/|\/\.(?:[/?]|$)|%(?:2e|2f|5c|00|25|(?![0-9a-f]{2}))|[\\\0]/i;
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
const QUERY =
  /^\?exp=([1-9][0-9]{0,11})&kid=([A-Za-z0-9_-]{1,64})(?:&pfx=([1-9][0-9]{0,4}))?&sig=([A-Za-z0-9_-]{43})$/;
const SIGNATURE_LENGTH = 43;
const KID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_URL_LENGTH = 4096;
const MAX_SKEW_SECONDS = 60;

/** Options of {@link createUrlSigner}. */
export interface UrlSignerOptions {
  /** HMAC secrets by key id (kid: 1 to 64 of `[A-Za-z0-9_-]`; secret: at least 32 bytes). */
  keys: Readonly<Record<string, string | Uint8Array>>;
  /** The kid that signs; the others only verify. */
  activeKid: string;
  /** Current time in milliseconds since the epoch; `Date.now` by default. */
  clock?: () => number;
  /** Seconds a URL is still accepted after its expiry, for clock skew between signer and checker; 0 by default, at most 60. */
  skewSeconds?: number;
}

/** When a signed URL expires and what it covers. */
export interface SignUrlOptions {
  /** Expiry, Unix seconds. Give this or `ttlSeconds`. */
  expiresAt?: number;
  /** Lifetime from now, seconds. Give this or `expiresAt`. */
  ttlSeconds?: number;
  /** Sign a path prefix (ending in `/`) instead of the exact path: the URL then grants everything under it. */
  prefix?: string;
}

/** What a valid signed URL grants. */
export interface VerifiedUrl {
  /** The path (without the query). */
  path: string;
  /** Expiry, Unix seconds. */
  expiresAt: number;
  /** The key id that signed it. */
  kid: string;
  /** The signed prefix, when the signature covers a prefix rather than the exact path. */
  prefix?: string;
}

/** Signs and verifies URLs; made by {@link createUrlSigner}. */
export interface UrlSigner {
  /** Returns `path?exp=...&kid=...[&pfx=...]&sig=...`. */
  sign(path: string, options: SignUrlOptions): string;
  /** Verifies a path with its query, or throws a {@link TokenError}. */
  verify(pathWithQuery: string): VerifiedUrl;
}

/**
 * HMAC-SHA256 signed URLs: the signature covers the key id, the expiry and the normalized path (or a
 * path prefix), is compared in constant time, and traversal tricks are refused before anything else.
 *
 * @example
 * ```ts
 * const urls = createUrlSigner({ keys: { u1: process.env.URL_SECRET! }, activeKid: "u1" });
 * const url = urls.sign("/play/s1/720p/seg42.ts", { ttlSeconds: 30 });
 * urls.verify(url); // { path: "/play/s1/720p/seg42.ts", expiresAt, kid: "u1" }
 * ```
 */
export function createUrlSigner(options: UrlSignerOptions): UrlSigner {
  const clock = options.clock ?? Date.now;
  const skew = options.skewSeconds ?? 0;
  if (!Number.isInteger(skew) || skew < 0 || skew > MAX_SKEW_SECONDS) {
    throw new TokenError("invalid_options", `skewSeconds must be an integer from 0 to ${MAX_SKEW_SECONDS}`);
  }
  const keys = new Map<string, Buffer>();
  for (const [kid, secret] of Object.entries(options.keys)) {
    if (!KID.test(kid))
      throw new TokenError("invalid_options", `kid ${kid} must be 1 to 64 of [A-Za-z0-9_-]`);
    const bytes = typeof secret === "string" ? Buffer.from(secret, "utf8") : Buffer.from(secret);
    if (bytes.length < 32)
      throw new TokenError("invalid_options", `the secret of ${kid} needs at least 32 bytes`);
    keys.set(kid, bytes);
  }
  const activeKid = options.activeKid;
  const activeKey = keys.get(activeKid);
  if (!activeKey) throw new TokenError("invalid_options", `activeKid ${activeKid} is not among the keys`);

  const mac = (key: Buffer, kid: string, exp: string, scope: string): string =>
    createHmac("sha256", key).update(`${kid}\n${exp}\n${scope}`).digest("base64url");

  // verify() is synchronous, so one pair of scratch buffers per signer serves every call
  // without allocating (the query pattern fixes the signature at 43 characters).
  const expected = Buffer.alloc(SIGNATURE_LENGTH);
  const given = Buffer.alloc(SIGNATURE_LENGTH);

  return {
    sign(path, { expiresAt, ttlSeconds, prefix }) {
      checkPath(path);
      if ((expiresAt === undefined) === (ttlSeconds === undefined)) {
        throw new TokenError("invalid_options", "give exactly one of expiresAt and ttlSeconds");
      }
      const exp = expiresAt ?? Math.floor(clock() / 1000) + (ttlSeconds as number);
      if (!Number.isSafeInteger(exp) || exp < 1 || exp > 999_999_999_999) {
        throw new TokenError("invalid_options", "the expiry must be a positive integer of Unix seconds");
      }
      let query = `?exp=${exp}&kid=${activeKid}`;
      let scope = `=${path}`;
      if (prefix !== undefined) {
        checkPath(prefix);
        if (!prefix.endsWith("/") || !path.startsWith(prefix)) {
          throw new TokenError("invalid_options", "a prefix ends with / and starts the path");
        }
        query += `&pfx=${prefix.length}`;
        scope = `^${prefix}`;
      }
      return `${path}${query}&sig=${mac(activeKey, activeKid, String(exp), scope)}`;
    },

    verify(input) {
      if (typeof input !== "string" || input.length > MAX_URL_LENGTH)
        throw new TokenError("malformed", "not a URL path");
      if (FORBIDDEN.test(input))
        throw new TokenError("bad_path", "traversal or encoded separators in the path");
      const mark = input.indexOf("?");
      if (mark < 0) throw new TokenError("malformed", "the URL is not signed");
      const path = input.slice(0, mark);
      if (!PATH.test(path)) throw new TokenError("bad_path", "the path is not normalized");
      const match = QUERY.exec(input.slice(mark));
      if (!match) throw new TokenError("malformed", "the signature query is malformed");
      const [, exp = "", kid = "", pfx, sig = ""] = match;
      const key = keys.get(kid);
      if (!key) throw new TokenError("unknown_key", `unknown kid ${kid}`);
      let prefix: string | undefined;
      let scope = `=${path}`;
      if (pfx !== undefined) {
        prefix = path.slice(0, Number(pfx));
        if (prefix.length !== Number(pfx) || !prefix.endsWith("/"))
          throw new TokenError("malformed", "bad prefix length");
        scope = `^${prefix}`;
      }
      expected.write(mac(key, kid, exp, scope), "latin1");
      given.write(sig, "latin1");
      if (!timingSafeEqual(expected, given)) {
        throw new TokenError("bad_signature", "the URL signature does not verify");
      }
      const expiresAt = Number(exp);
      if (clock() / 1000 > expiresAt + skew) throw new TokenError("expired", "the signed URL expired");
      return prefix === undefined ? { path, expiresAt, kid } : { path, expiresAt, kid, prefix };
    },
  };
}

function checkPath(path: string): void {
  if (typeof path !== "string" || path.length > MAX_URL_LENGTH || FORBIDDEN.test(path) || !PATH.test(path)) {
    throw new TokenError(
      "bad_path",
      "the path must be absolute and normalized, without .., encoded dots or slashes",
    );
  }
}

import { decodeProtectedHeader, type JWTPayload, jwtVerify, type ProtectedHeaderParameters } from "jose";
import { isCanonicalBase64url } from "./base64url.js";
import { TokenError, type TokenErrorCode } from "./errors.js";
import type { SigningAlgorithm, SigningKey } from "./keys.js";

/** The only algorithms ever accepted, with the exact signature length (base64url characters) of each. */
const SIGNATURE_LENGTH: Readonly<Record<SigningAlgorithm, number>> = { EdDSA: 86, HS256: 43 };
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Far above any token this package issues; longer input is refused before it is parsed. */
export const MAX_TOKEN_LENGTH = 8192;

/** What a verification checks besides the signature. */
export interface JwtPolicy {
  typ: string;
  issuer: string;
  audience: string;
  leewaySeconds: number;
  /** Current time in milliseconds since the epoch. */
  now: number;
}

/** Picks the key for a header; only ever a lookup in a fixed key set. */
export type KeyResolver = (header: ProtectedHeaderParameters) => SigningKey | undefined;

/**
 * Verifies a compact JWS JWT after RFC 8725: shape first, then the algorithm allowlist, `typ`,
 * the key chosen by `kid` (bound to one algorithm), the signature, and the required claims.
 */
export async function verifyJwt(
  token: unknown,
  resolveKey: KeyResolver,
  policy: JwtPolicy,
): Promise<JWTPayload> {
  const [header, signature] = checkShape(token);
  const alg = header.alg;
  if (alg !== "EdDSA" && alg !== "HS256") {
    throw new TokenError("alg_not_allowed", `algorithm ${String(alg).slice(0, 20)} is not allowed`);
  }
  if (typeof header.typ !== "string" || header.typ.toLowerCase() !== policy.typ.toLowerCase()) {
    throw new TokenError("wrong_type", `expected a token of type ${policy.typ}`);
  }
  const key = resolveKey(header);
  if (!key) throw new TokenError("unknown_key", "the token's kid is not in the key set");
  if (key.alg !== alg) throw new TokenError("alg_not_allowed", `key ${key.kid} only verifies ${key.alg}`);
  if (signature.length !== SIGNATURE_LENGTH[alg])
    throw new TokenError("malformed", "signature of the wrong length");

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token as string, key.verificationKey, {
      algorithms: [key.alg],
      issuer: policy.issuer,
      audience: policy.audience,
      clockTolerance: policy.leewaySeconds,
      currentDate: new Date(policy.now),
      requiredClaims: ["exp", "iat", "iss", "aud"],
    }));
  } catch (cause) {
    throw fromJose(cause);
  }
  if (typeof payload.iat === "number" && payload.iat > policy.now / 1000 + policy.leewaySeconds) {
    throw new TokenError("not_yet_valid", "the token was issued in the future");
  }
  return payload;
}

function checkShape(token: unknown): [ProtectedHeaderParameters, string] {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH || !COMPACT.test(token)) {
    throw new TokenError("malformed", "not a compact JWS of three base64url parts");
  }
  const parts = token.split(".") as [string, string, string];
  if (!parts.every(isCanonicalBase64url)) throw new TokenError("malformed", "non-canonical base64url");
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(token);
  } catch (cause) {
    throw new TokenError("malformed", "the header is not a JSON object", { cause });
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new TokenError("malformed", "the header is not a JSON object");
  }
  return [header, parts[2]];
}

function fromJose(error: unknown): TokenError {
  const { code, claim, reason } = (error ?? {}) as { code?: string; claim?: string; reason?: string };
  let mapped: TokenErrorCode = "malformed";
  if (code === "ERR_JWT_EXPIRED") mapped = "expired";
  else if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") mapped = "bad_signature";
  else if (code === "ERR_JOSE_ALG_NOT_ALLOWED") mapped = "alg_not_allowed";
  else if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") {
    if (claim === "iss") mapped = "wrong_issuer";
    else if (claim === "aud") mapped = "wrong_audience";
    else if (reason === "missing") mapped = "missing_claim";
    else if ((claim === "nbf" || claim === "iat") && reason === "check_failed") mapped = "not_yet_valid";
    else mapped = "invalid_claim";
  }
  const message = error instanceof Error ? error.message : "verification failed";
  return new TokenError(mapped, message, { cause: error });
}

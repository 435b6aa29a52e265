import type { RateLimitDecision, RateLimitPolicy } from "../types.js";

/*
 * Header fields of draft-ietf-httpapi-ratelimit-headers-09 (March 2025): both are Structured
 * Field lists of items named by an sf-string, so several policies (per address, per
 * account) can be appended to one response.
 *   RateLimit-Policy: "login";q=5;w=60     q = limit, w = period in whole seconds
 *   RateLimit: "login";r=3;t=12            r = remaining, t = seconds until the bucket is
 *                                          full (allowed) or until a retry passes (refused)
 */

/** An sf-string for `name`; `name` must be printable ASCII. */
export const sfString = (name: string): string => `"${name.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;

/** The `RateLimit-Policy` item of a policy. */
export const policyItem = (name: string, policy: RateLimitPolicy): string =>
  `${sfString(name)};q=${policy.limit};w=${Math.ceil(policy.periodMs / 1000)}`;

/** The `RateLimit` item of a decision. */
export const stateItem = (name: string, decision: RateLimitDecision): string =>
  `${sfString(name)};r=${decision.remaining};t=${Math.ceil((decision.allowed ? decision.resetMs : decision.retryAfterMs) / 1000)}`;

import { RateLimitError } from "../errors.js";
import type { RateLimitDecision, RateLimitPolicy } from "../types.js";

/*
 * GCRA in integers. Time is kept in "ticks" of 1/limit ms, so the emission interval
 * (periodMs / limit ms) is exactly `periodMs` ticks and no rounding ever happens. The state
 * of a key is its theoretical arrival time (TAT) as whole ms plus a remainder in ticks;
 * arithmetic only ever uses the *debt* d = TAT - now in ticks, which stays below
 * (burst + cost) * periodMs, so it fits a double exactly even though now * limit would not.
 * A request of cost c passes when d + c * periodMs <= burst * periodMs.
 */

/** Checks a policy and returns a frozen copy of it. */
export function checkPolicy(limit: number, periodMs: number, burst: number): RateLimitPolicy {
  for (const [name, value] of [
    ["limit", limit],
    ["periodMs", periodMs],
    ["burst", burst],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RateLimitError(
        "invalid_options",
        `${name} must be a whole number >= 1, got ${String(value)}`,
      );
    }
  }
  if (!Number.isSafeInteger(2 * burst * periodMs + limit)) {
    throw new RateLimitError("invalid_options", "burst * periodMs is too large to compute exactly");
  }
  return Object.freeze({ limit, periodMs, burst });
}

/** The debt in ticks of a key whose TAT is `tat` ms plus `rem` ticks, at `now`. */
export function debtAt(tat: number, rem: number, now: number, limit: number): number {
  const d = (tat - now) * limit + rem;
  return Math.max(d, 0);
}

/**
 * The same policy in coarser ticks: limit and periodMs divided by their greatest common
 * divisor. Decisions do not change; when limit divides periodMs (5 per minute, 10 per
 * second) the reduced limit is 1 and the TAT is always a whole millisecond, which lets the
 * Redis script skip the remainder.
 */
export function reduce(policy: RateLimitPolicy): RateLimitPolicy {
  let a = policy.limit;
  let b = policy.periodMs;
  while (b !== 0) [a, b] = [b, a % b];
  return { limit: policy.limit / a, periodMs: policy.periodMs / a, burst: policy.burst };
}

/**
 * The decision for a request of `cost` against a bucket with debt `d` (ticks of the
 * policy), reporting `reportedLimit` (the user's limit when `policy` is {@link reduce}d).
 */
export function decide(
  d: number,
  policy: RateLimitPolicy,
  cost: number,
  reportedLimit = policy.limit,
): RateLimitDecision {
  const { limit: tickLimit, periodMs } = policy;
  const limit = reportedLimit;
  const capacity = policy.burst * periodMs;
  const next = d + cost * periodMs;
  if (next <= capacity) {
    return {
      allowed: true,
      limit,
      remaining: floorDiv(capacity - next, periodMs),
      resetMs: ceilDiv(next, tickLimit),
      retryAfterMs: 0,
    };
  }
  return {
    allowed: false,
    limit,
    remaining: floorDiv(capacity - d, periodMs),
    resetMs: ceilDiv(d, tickLimit),
    retryAfterMs: ceilDiv(next - capacity, tickLimit),
  };
}

/** a / b rounded down, exact for whole non-negative a and positive b (float division is not near 2^53). */
export function floorDiv(a: number, b: number): number {
  return (a - (a % b)) / b;
}

/** a / b rounded up, exact for whole non-negative a and positive b. */
export function ceilDiv(a: number, b: number): number {
  return floorDiv(a + b - 1, b);
}

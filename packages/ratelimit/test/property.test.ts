import { RateLimiter } from "@mpvstream/ratelimit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const policyArb = fc.record({
  limit: fc.integer({ min: 1, max: 50 }),
  periodMs: fc.integer({ min: 1, max: 5000 }),
  burst: fc.integer({ min: 1, max: 20 }),
});
const requestsArb = fc.array(
  fc.record({
    waitMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 5000 })),
    cost: fc.nat(3),
  }),
  { maxLength: 200 },
);

/** Runs the requests through a limiter with a fake clock; returns the times and costs accepted. */
async function run(
  policy: { limit: number; periodMs: number; burst: number },
  requests: { waitMs: number; cost: number }[],
) {
  let now = 0;
  const limiter = new RateLimiter({ ...policy, clock: () => now });
  const accepted: { at: number; cost: number }[] = [];
  const decisions = [];
  for (const { waitMs, cost } of requests) {
    now += waitMs;
    if (cost > policy.burst) continue;
    const decision = await limiter.consume("k", cost);
    decisions.push({ at: now, cost, decision });
    if (decision.allowed) accepted.push({ at: now, cost });
  }
  return { accepted, decisions };
}

describe("property: the limiter never exceeds its policy", () => {
  it("accepts at most burst + limit * elapsed / period units in any window", async () => {
    await fc.assert(
      fc.asyncProperty(policyArb, requestsArb, async (policy, requests) => {
        const { accepted } = await run(policy, requests);
        for (let i = 0; i < accepted.length; i++) {
          let units = 0;
          for (let j = i; j < accepted.length; j++) {
            units += accepted[j]?.cost ?? 0;
            const elapsed = (accepted[j]?.at ?? 0) - (accepted[i]?.at ?? 0);
            // Integer form of units <= burst + elapsed * limit / periodMs.
            expect(units * policy.periodMs).toBeLessThanOrEqual(
              policy.burst * policy.periodMs + elapsed * policy.limit,
            );
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("decides exactly like a token bucket kept in exact rational arithmetic", async () => {
    await fc.assert(
      fc.asyncProperty(policyArb, requestsArb, async (policy, requests) => {
        const { decisions } = await run(policy, requests);
        // Tokens scaled by periodMs: capacity burst * periodMs, refilling `limit` per ms.
        const capacity = BigInt(policy.burst * policy.periodMs);
        let tokens = capacity;
        let last = 0;
        for (const { at, cost, decision } of decisions) {
          tokens += BigInt(at - last) * BigInt(policy.limit);
          if (tokens > capacity) tokens = capacity;
          last = at;
          const need = BigInt(cost * policy.periodMs);
          const allowed = tokens >= need;
          if (allowed) tokens -= need;
          expect(decision.allowed).toBe(allowed);
          const left = allowed ? tokens : tokens;
          expect(decision.remaining).toBe(Number(left / BigInt(policy.periodMs)));
          const missing = capacity - left;
          expect(decision.resetMs).toBe(Number((missing + BigInt(policy.limit) - 1n) / BigInt(policy.limit)));
          const short = allowed ? 0n : need - tokens;
          expect(decision.retryAfterMs).toBe(
            Number((short + BigInt(policy.limit) - 1n) / BigInt(policy.limit)),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it("lets a refused request through exactly at its retry-after", async () => {
    await fc.assert(
      fc.asyncProperty(policyArb, requestsArb, fc.nat(3), async (policy, requests, extra) => {
        let now = 0;
        const limiter = new RateLimiter({ ...policy, clock: () => now });
        for (const { waitMs, cost } of requests) {
          now += waitMs;
          if (cost <= policy.burst) await limiter.consume("k", cost);
        }
        const cost = Math.min(policy.burst, extra + 1);
        const refused = await limiter.consume("k", cost);
        if (refused.allowed) return;
        now += refused.retryAfterMs - 1;
        expect((await limiter.consume("k", cost)).allowed).toBe(false);
        now += 1;
        expect((await limiter.consume("k", cost)).allowed).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

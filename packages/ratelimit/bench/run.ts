// P4: rate limiter decisions/s, @mpvstream/ratelimit against rate-limiter-flexible on the
// same keys, same Redis, same client, in one run. Prints one Markdown section to stdout.
import { once } from "node:events";
import { MemoryStore, RateLimiter } from "@mpvstream/ratelimit";
import { RedisStore } from "@mpvstream/ratelimit/redis";
import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const KEYS = Array.from({ length: 1000 }, (_, i) => `user${i}`);
// A budget no key reaches, so both sides answer "allowed" every time (rate-limiter-flexible
// rejects with an object when over the limit, which would measure its error path instead)
// and both keep state for every key: rate-limiter-flexible 1e9 points per 60 s window; ours
// 60 per 60 s with a burst of 1e9, so each request moves the key's TAT one second ahead.
const POINTS = 1_000_000_000;
const DURATION_S = 60;
const OURS = { limit: 60, periodMs: 60_000, burst: POINTS };
// The same with 7 per minute: the TAT is not a whole millisecond and the script keeps the remainder.
const OURS_FRACTIONAL = { limit: 7, periodMs: 60_000, burst: POINTS };
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 600);
const ROUNDS = 9;

type Consume = (key: string) => Promise<unknown>;

/** Decisions per second with `inFlight` concurrent loops for ROUND_MS. */
async function measure(consume: Consume, inFlight: number): Promise<number> {
  let count = 0;
  const deadline = performance.now() + ROUND_MS;
  const start = performance.now();
  const loop = async (offset: number) => {
    let i = offset;
    while (performance.now() < deadline) {
      // Check the clock every 64 decisions so the timer does not dominate in memory.
      for (let j = 0; j < 64; j++) {
        await consume(KEYS[i++ % KEYS.length] as string);
      }
      count += 64;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, (_, n) => loop(n * 10)));
  return (count * 1000) / (performance.now() - start);
}

/**
 * Runs the two sides ROUNDS times, swapping which goes first every round (the machine is
 * shared and noisy), and keeps each side's median.
 */
async function compare(ours: Consume, theirs: Consume, inFlight: number): Promise<[number, number]> {
  await measure(ours, inFlight); // warm-up
  await measure(theirs, inFlight);
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      a.push(await measure(ours, inFlight));
      b.push(await measure(theirs, inFlight));
    } else {
      b.push(await measure(theirs, inFlight));
      a.push(await measure(ours, inFlight));
    }
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
  return [median(a), median(b)];
}

const prefix = `rlbench:${process.pid}:`;
const client = new Redis(REDIS_URL);
if (client.status !== "ready") await once(client, "ready");

const rows: { what: string; ours: number; theirs: number; bar: boolean }[] = [];
try {
  const memory = new RateLimiter({ ...OURS, name: "m", store: new MemoryStore({ maxKeys: 10_000 }) });
  const flexMemory = new RateLimiterMemory({ points: POINTS, duration: DURATION_S });
  const [m1, m2] = await compare(
    (k) => memory.consume(k),
    (k) => flexMemory.consume(k),
    1,
  );
  rows.push({ what: "memory", ours: m1, theirs: m2, bar: true });

  const store = new RedisStore({ client, prefix, timeoutMs: 2000 });
  const redis = new RateLimiter({ ...OURS, name: "r", store });
  const fractional = new RateLimiter({ ...OURS_FRACTIONAL, name: "f", store });
  const flexRedis = new RateLimiterRedis({
    storeClient: client,
    points: POINTS,
    duration: DURATION_S,
    keyPrefix: `${prefix}flex`,
  });
  for (const inFlight of [1, 100]) {
    const [r1, r2] = await compare(
      (k) => redis.consume(k),
      (k) => flexRedis.consume(k),
      inFlight,
    );
    rows.push({ what: `Redis, ${inFlight} in flight`, ours: r1, theirs: r2, bar: true });
  }
  const [f1, f2] = await compare(
    (k) => fractional.consume(k),
    (k) => flexRedis.consume(k),
    100,
  );
  rows.push({
    what: "Redis, 100 in flight, 7 per minute (not a bar case)",
    ours: f1,
    theirs: f2,
    bar: false,
  });
} finally {
  const keys = await client.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500));
  client.disconnect();
}

const fmt = (n: number) => (n >= 100_000 ? `${(n / 1e6).toFixed(2)}M/s` : `${(n / 1000).toFixed(1)}k/s`);
const lines = [
  "## P4: rate limiter decisions/s",
  "",
  `@mpvstream/ratelimit (GCRA, one EVALSHA per Redis decision) against rate-limiter-flexible ${
    (await import("rate-limiter-flexible/package.json", { with: { type: "json" } })).default.version
  } (fixed window) on the same 1,000 keys and the same ioredis client; median of ${ROUNDS} alternating rounds of ${ROUND_MS} ms. Bar: >= 1.0x.`,
  "",
  "| case | @mpvstream/ratelimit | rate-limiter-flexible | ratio | bar | |",
  "|---|---:|---:|---:|---:|---|",
  ...rows.map(({ what, ours, theirs, bar }) => {
    const ratio = ours / theirs;
    const verdict = bar ? (ratio >= 1 ? "pass" : "FAIL") : "";
    return `| ${what} | ${fmt(ours)} | ${fmt(theirs)} | ${ratio.toFixed(2)}x | ${bar ? ">= 1.0x" : ""} | ${verdict} |`;
  }),
];
process.stdout.write(`${lines.join("\n")}\n`);

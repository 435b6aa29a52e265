// npm run bench -- token: access-token verification (first and repeat) against fast-jwt and jose
// alone, and signed-URL verification against the raw node:crypto HMAC + timingSafeEqual floor.
// Every pair is measured interleaved in the same process; the median of the rounds is reported.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createSigner, createVerifier } from "fast-jwt";
import { jwtVerify } from "jose";
import { createAccessTokens, KeySet } from "../src/index.js";
import { createUrlSigner } from "../src/node.js";

const ROUNDS = 5;
const ROUND_MS = 400;

async function rate(op: () => unknown): Promise<number> {
  const deadline = performance.now() + ROUND_MS;
  let count = 0;
  let start = performance.now();
  // warm-up, then measure in batches so the clock is not read on every call
  for (let i = 0; i < 200; i++) await op();
  start = performance.now();
  while (performance.now() < deadline + ROUND_MS / 4) {
    for (let i = 0; i < 100; i++) await op();
    count += 100;
  }
  return (count * 1000) / (performance.now() - start);
}

function rateSync(op: () => unknown): number {
  for (let i = 0; i < 1000; i++) op();
  const start = performance.now();
  let count = 0;
  while (performance.now() - start < ROUND_MS) {
    for (let i = 0; i < 1000; i++) op();
    count += 1000;
  }
  return (count * 1000) / (performance.now() - start);
}

async function compare(ops: Record<string, () => unknown>, sync = false): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(ops).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, op] of Object.entries(ops)) samples[name]?.push(sync ? rateSync(op) : await rate(op));
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [
      name,
      values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0,
    ]),
  );
}

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M/s` : `${(n / 1e3).toFixed(1)}k/s`);
const ok = (ratio: number, bar: number): string =>
  ratio >= bar ? `${ratio.toFixed(2)}x (bar ${bar}x: met)` : `${ratio.toFixed(2)}x (bar ${bar}x: NOT met)`;

// access tokens
const issuer = "https://tv.example";
const audience = "mpvstream";
const ed = await KeySet.generate({ alg: "EdDSA" });
const hs = await KeySet.generate({ alg: "HS256" });
const edTokens = createAccessTokens({ keys: ed, issuer, audience });
const edFresh = createAccessTokens({ keys: ed, issuer, audience, cache: false });
const hsTokens = createAccessTokens({ keys: hs, issuer, audience });
const hsFresh = createAccessTokens({ keys: hs, issuer, audience, cache: false });
const edToken = (await edTokens.sign({ sub: "u1", role: "user" })).token;
const hsToken = (await hsTokens.sign({ sub: "u1", role: "user" })).token;
await edTokens.verify(edToken);
await hsTokens.verify(hsToken);

const secret = Buffer.from(hs.toJSON().keys[0]?.k ?? "", "base64url");
const payload = { iss: issuer, aud: audience, sub: "u1", role: "user", jti: "j1" };
const fastToken = createSigner({ key: secret, algorithm: "HS256", expiresIn: 900_000 })(payload);
const fastVerify = createVerifier({
  key: secret,
  algorithms: ["HS256"],
  allowedIss: issuer,
  allowedAud: audience,
});
const fastVerifyCached = createVerifier({
  key: secret,
  algorithms: ["HS256"],
  allowedIss: issuer,
  allowedAud: audience,
  cache: true,
});
const joseOptions = { algorithms: ["HS256"], issuer, audience };

const tokens = await compare({
  repeatEd: () => edTokens.verify(edToken),
  repeatHs: () => hsTokens.verify(hsToken),
  firstEd: () => edFresh.verify(edToken),
  firstHs: () => hsFresh.verify(hsToken),
  jose: () => jwtVerify(hsToken, hs.active.verificationKey, joseOptions),
  joseEd: () => jwtVerify(edToken, ed.active.verificationKey, { algorithms: ["EdDSA"], issuer, audience }),
  fast: () => fastVerify(fastToken),
  fastCached: () => fastVerifyCached(fastToken),
});

// signed URLs
const urlSecret = "s".repeat(32);
const urls = createUrlSigner({ keys: { k1: urlSecret }, activeKid: "k1" });
const url = urls.sign("/play/5f1c2b/720p/seg00042.ts", { ttlSeconds: 3600 });
const message = `k1\n${url.match(/exp=(\d+)/)?.[1]}\n=/play/5f1c2b/720p/seg00042.ts`;
const rawKey = Buffer.from(urlSecret);
const expected = createHmac("sha256", rawKey).update(message).digest();
const signed = await compare(
  {
    ours: () => urls.verify(url),
    floor: () => timingSafeEqual(createHmac("sha256", rawKey).update(message).digest(), expected),
  },
  true,
);

const t = tokens as Record<string, number>;
const s = signed as Record<string, number>;
const row = (what: string, ours: number, base: number, baseName: string, bar?: number): string =>
  `| ${what} | ${fmt(ours)} | ${baseName}: ${fmt(base)} | ${bar === undefined ? `${(ours / base).toFixed(2)}x` : ok(ours / base, bar)} |`;

console.log(`## Token: access-token and signed-URL verification

One verification at a time (awaited), median of ${ROUNDS} interleaved rounds of ${ROUND_MS} ms.
"Repeat" is a token already in the verified-token cache; "first" runs the full check (cache off).
fast-jwt verifies synchronously with its own cache off (its default) unless noted.

| what | ours | baseline | ratio |
|---|---|---|---|
${row("repeat verify, EdDSA token", t.repeatEd ?? 0, t.fast ?? 1, "fast-jwt HS256", 1)}
${row("repeat verify, HS256 token", t.repeatHs ?? 0, t.fast ?? 1, "fast-jwt HS256", 1)}
${row("repeat verify, HS256 token", t.repeatHs ?? 0, t.fastCached ?? 1, "fast-jwt HS256 cache on")}
${row("first verify, HS256", t.firstHs ?? 0, t.jose ?? 1, "jose jwtVerify HS256")}
${row("first verify, EdDSA", t.firstEd ?? 0, t.joseEd ?? 1, "jose jwtVerify EdDSA")}
${row("first verify, HS256", t.firstHs ?? 0, t.fast ?? 1, "fast-jwt HS256")}
${row("signed-URL verify", s.ours ?? 0, s.floor ?? 1, "HMAC-SHA256 + timingSafeEqual floor", 0.8)}

Bars (QUALITY.md P3/P5): repeat verification >= fast-jwt; signed URL >= 0.8x the floor.`);

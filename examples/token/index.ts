// Access tokens with a persisted, rotating key set; refresh-token rotation; signed segment URLs.
// Run with `npx tsx examples/token/index.ts` after `npm run build -w @mpvstream/token`.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createAccessTokens, isTokenError, KeySet } from "@mpvstream/token";
import { createRefreshToken, createUrlSigner, hashRefreshToken } from "@mpvstream/token/node";

const dir = await mkdtemp(path.join(tmpdir(), "mpvstream-token-"));
try {
  // first start: generate and persist the key set (private, mode 0600); later starts load it
  const file = path.join(dir, "keys.json");
  await writeFile(file, JSON.stringify(await KeySet.generate()), { mode: 0o600 });
  const keys = await KeySet.fromJSON(JSON.parse(await readFile(file, "utf8")));

  const revoked = new Set<string>();
  const tokens = createAccessTokens({
    keys,
    issuer: "https://tv.example",
    audience: "mpvstream",
    isDenied: (claims) => revoked.has(claims.jti),
  });
  const { token, expiresIn } = await tokens.sign({ sub: "user-1", role: "user" });
  const claims = await tokens.verify(token);
  await tokens.verify(token); // from the cache
  console.log(
    "access token for",
    claims.sub,
    "role",
    claims.role,
    "expires in",
    expiresIn,
    "s",
    tokens.stats,
  );

  // rotation: the old key keeps verifying until retired
  const old = keys.active.kid;
  await keys.rotate();
  console.log("after rotate, old token still verifies:", (await tokens.verify(token)).jti === claims.jti);
  keys.retire(old);
  await tokens
    .verify(token)
    .catch((error) => console.log("after retire:", isTokenError(error) && error.code));
  console.log("published JWKS has", keys.publicJwks().keys.length, "key(s)");

  // refresh tokens: the client gets the token, the store keeps only the hash
  const refresh = createRefreshToken();
  console.log("refresh hash matches:", hashRefreshToken(refresh.token) === refresh.hash);

  // signed segment URL, with the clock of the checker 2 s behind
  const urls = createUrlSigner({
    keys: { u1: "0123456789abcdef0123456789abcdef" },
    activeKid: "u1",
    skewSeconds: 2,
  });
  const url = urls.sign("/play/s1/720p/seg42.ts", { ttlSeconds: 30 });
  console.log("signed URL", url, "->", urls.verify(url).path);
  try {
    urls.verify("/play/s1/../s2/seg1.ts?exp=1&kid=u1&sig=x");
  } catch (error) {
    console.log("traversal refused:", isTokenError(error) && error.code);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

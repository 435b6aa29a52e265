import { describe, expect, it } from "vitest";
import { createUrlSigner } from "../src/node.js";
import { expectCode } from "./helpers.js";

const SECRET_A = "a".repeat(32);
const SECRET_B = new Uint8Array(32).fill(7);
let now = 1_750_000_000_000;
const clock = () => now;
const signer = (activeKid = "a", skewSeconds = 0) =>
  createUrlSigner({ keys: { a: SECRET_A, b: SECRET_B }, activeKid, clock, skewSeconds });

describe("signed URLs", () => {
  it("sign then verify gives back the path, expiry and kid", () => {
    const url = signer().sign("/play/s1/720p/seg42.ts", { ttlSeconds: 30 });
    expect(url).toMatch(/^\/play\/s1\/720p\/seg42\.ts\?exp=\d+&kid=a&sig=[A-Za-z0-9_-]{43}$/);
    expect(signer().verify(url)).toEqual({
      path: "/play/s1/720p/seg42.ts",
      expiresAt: now / 1000 + 30,
      kid: "a",
    });
  });

  it("an exact-path signature does not grant another path", async () => {
    const url = signer().sign("/play/s1/seg1.ts", { ttlSeconds: 30 });
    await expectCode(() => signer().verify(url.replace("seg1", "seg2")), "bad_signature");
  });

  it("a prefix signature grants everything under the prefix and nothing beside it", async () => {
    const query = signer().sign("/play/s1/seg1.ts", { ttlSeconds: 30, prefix: "/play/s1/" }).split("?")[1];
    expect(signer().verify(`/play/s1/720p/seg9.ts?${query}`)).toMatchObject({ prefix: "/play/s1/" });
    // the prefix length then ends inside "s10", not on a slash
    await expectCode(() => signer().verify(`/play/s10/seg1.ts?${query}`), "malformed");
    await expectCode(() => signer().verify(`/play/s3/seg1.ts?${query}`), "bad_signature");
    await expectCode(() => signer().verify(`/play/s2/seg1.ts?${query}`), "bad_signature");
    await expectCode(() => signer().verify(`/p/?${query}`), "malformed");
  });

  it("expiry uses the injected clock and the explicit skew", async () => {
    const url = signer().sign("/x.ts", { expiresAt: now / 1000 + 10 });
    now += 10_000;
    expect(signer().verify(url).expiresAt).toBe(now / 1000);
    now += 1_000;
    await expectCode(() => signer().verify(url), "expired");
    expect(signer("a", 5).verify(url).kid).toBe("a");
    now += 5_000;
    await expectCode(() => signer("a", 5).verify(url), "expired");
  });

  it("rotation: URLs of the old kid verify while it is listed, and are refused once removed", async () => {
    const old = signer("a").sign("/x.ts", { ttlSeconds: 60 });
    const fresh = signer("b").sign("/x.ts", { ttlSeconds: 60 });
    expect(fresh).toContain("kid=b");
    expect(signer("b").verify(old).kid).toBe("a");
    const onlyB = createUrlSigner({ keys: { b: SECRET_B }, activeKid: "b", clock });
    await expectCode(() => onlyB.verify(old), "unknown_key");
    expect(onlyB.verify(fresh).kid).toBe("b");
  });

  it("the same path signed under another key's secret is refused", async () => {
    const forged = createUrlSigner({ keys: { a: "z".repeat(32) }, activeKid: "a", clock }).sign("/x.ts", {
      ttlSeconds: 60,
    });
    await expectCode(() => signer().verify(forged), "bad_signature");
  });

  const query = () => signer().sign("/q.ts", { ttlSeconds: 60 }).split("?")[1];
  it.each([
    "/play/s1/../s2/seg.ts",
    "/play/s1/..",
    "/play/s1/%2e%2e/seg.ts",
    "/play/s1/%2E%2E/seg.ts",
    "/play/s1/.%2e/seg.ts",
    "/play/s1%2fseg.ts",
    "/play/s1%2Fseg.ts",
    "/play/s1%5cseg.ts",
    "/play/s1\\seg.ts",
    "/play/s1\\..\\x",
    "/play/s1/seg.ts\0",
    "/play/s1/seg%00.ts",
    "/play/s1/%252e%252e/x",
    "/play//s1/seg.ts",
    "/play/./s1/seg.ts",
    "/play/s1/.",
    "play/s1/seg.ts",
    "/play/s1/seg ts",
    "/play/s1/%zz",
    "/play/s1/é.ts",
  ])("refuses the path %j with bad_path, before the signature is looked at", async (path) => {
    await expectCode(() => signer().verify(`${path}?${query()}`), "bad_path");
    await expectCode(() => signer().sign(path, { ttlSeconds: 60 }), "bad_path");
  });

  it.each([
    ["no query", "/x.ts"],
    ["empty query", "/x.ts?"],
    ["params reordered", "/x.ts?kid=a&exp=1999999999&sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["extra param", "/x.ts?exp=1999999999&kid=a&sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&x=1"],
    ["leading-zero exp", "/x.ts?exp=01999999999&kid=a&sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["short sig", "/x.ts?exp=1999999999&kid=a&sig=AAAA"],
    ["padded sig", "/x.ts?exp=1999999999&kid=a&sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="],
    [
      "prefix longer than the path",
      "/x.ts?exp=1999999999&kid=a&pfx=99&sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
  ])("refuses %s as malformed", async (_name, url) => {
    await expectCode(() => signer().verify(url), "malformed");
  });

  it.each([
    ["a short secret", { keys: { a: "short" }, activeKid: "a" }],
    ["an unknown activeKid", { keys: { a: SECRET_A }, activeKid: "b" }],
    ["a kid with a slash", { keys: { "a/b": SECRET_A }, activeKid: "a/b" }],
    ["skew above 60 s", { keys: { a: SECRET_A }, activeKid: "a", skewSeconds: 61 }],
  ])("refuses options with %s", async (_name, options) => {
    await expectCode(() => createUrlSigner(options), "invalid_options");
  });

  it("sign refuses a prefix that does not start the path, and ambiguous expiry options", async () => {
    await expectCode(() => signer().sign("/a/b.ts", { ttlSeconds: 1, prefix: "/c/" }), "invalid_options");
    await expectCode(() => signer().sign("/a/b.ts", { ttlSeconds: 1, prefix: "/a" }), "invalid_options");
    await expectCode(() => signer().sign("/a/b.ts", {}), "invalid_options");
    await expectCode(() => signer().sign("/a/b.ts", { ttlSeconds: 1, expiresAt: 5 }), "invalid_options");
  });
});

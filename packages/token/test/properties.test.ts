import { createAccessTokens, isTokenError, KeySet } from "@mpvstream/token";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createUrlSigner } from "../src/node.js";

const NOW = 1_750_000_000_000;
const mutate = (text: string, index: number, code: number): string =>
  text.slice(0, index) + String.fromCharCode(code) + text.slice(index + 1);
/** A position in the text and a different byte value to put there. */
const change = (text: string) =>
  fc
    .tuple(fc.nat({ max: text.length - 1 }), fc.integer({ min: 0, max: 255 }))
    .filter(([index, code]) => text.charCodeAt(index) !== code);

describe("properties: any single-byte change is refused", () => {
  for (const alg of ["EdDSA", "HS256"] as const) {
    describe(`${alg} access tokens`, () => {
      let tokens: ReturnType<typeof createAccessTokens>;
      let token: string;
      beforeAll(async () => {
        const keys = await KeySet.generate({ alg });
        await keys.rotate(); // two keys, so a changed kid could still name a real key
        tokens = createAccessTokens({ keys, issuer: "i", audience: "a", clock: () => NOW });
        token = (await tokens.sign({ sub: "u1", role: "user" })).token;
        await tokens.verify(token); // cached: a changed token must not hit the entry
      });

      it("refuses every mutant with a TokenError", async () => {
        await fc.assert(
          fc.asyncProperty(change(token), async ([index, code]) => {
            const error = await tokens.verify(mutate(token, index, code)).then(
              () => undefined,
              (caught: unknown) => caught,
            );
            expect(isTokenError(error)).toBe(true);
          }),
          { numRuns: 600 },
        );
        await expect(tokens.verify(token)).resolves.toMatchObject({ sub: "u1" });
      });
    });
  }

  it("signed URLs refuse every mutant of an exact-path URL", () => {
    const urls = createUrlSigner({
      keys: { k1: "s".repeat(32), k2: "t".repeat(32) },
      activeKid: "k1",
      clock: () => NOW,
    });
    const url = urls.sign("/play/5f1c/720p/seg00042.ts", { ttlSeconds: 30 });
    expect(urls.verify(url).path).toBe("/play/5f1c/720p/seg00042.ts");
    fc.assert(
      fc.property(change(url), ([index, code]) => {
        expect(() => urls.verify(mutate(url, index, code))).toThrow(
          expect.objectContaining({ name: "TokenError" }),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it("prefix URLs refuse every mutant of the prefix and the query; past the prefix only paths under it pass", () => {
    const urls = createUrlSigner({
      keys: { k1: "s".repeat(32), k2: "t".repeat(32) },
      activeKid: "k1",
      clock: () => NOW,
    });
    const prefix = "/play/5f1c/";
    const url = urls.sign("/play/5f1c/720p/seg00042.ts", { ttlSeconds: 30, prefix });
    const mark = url.indexOf("?");
    fc.assert(
      fc.property(change(url), ([index, code]) => {
        const mutant = mutate(url, index, code);
        if (index < prefix.length || index >= mark) {
          expect(() => urls.verify(mutant)).toThrow(expect.objectContaining({ name: "TokenError" }));
        } else {
          // the signature grants the whole prefix by design: whatever passes stays under it
          let granted: ReturnType<typeof urls.verify> | undefined;
          try {
            granted = urls.verify(mutant);
          } catch {
            return;
          }
          expect(granted.prefix).toBe(prefix);
          expect(granted.path.startsWith(prefix)).toBe(true);
          expect(granted.path).not.toMatch(/\.\.|\/\/|%2f|%2e|\\|\0/i);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

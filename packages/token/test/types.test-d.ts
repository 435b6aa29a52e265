import {
  type AccessClaims,
  type AccessTokens,
  createAccessTokens,
  isTokenError,
  type KeySet,
  type SignedAccessToken,
  type TokenErrorCode,
} from "@mpvstream/token";
import { describe, expectTypeOf, it } from "vitest";

declare const keys: KeySet;

describe("public types", () => {
  it("roles narrow the role type of signed and verified claims", () => {
    const tokens = createAccessTokens({ keys, issuer: "i", audience: "a", roles: ["user", "admin"] });
    expectTypeOf(tokens).toEqualTypeOf<AccessTokens<"user" | "admin">>();
    expectTypeOf(tokens.verify).returns.resolves.toEqualTypeOf<AccessClaims<"user" | "admin">>();
    expectTypeOf(tokens.sign).returns.resolves.toEqualTypeOf<SignedAccessToken<"user" | "admin">>();
    expectTypeOf(tokens.sign).parameter(0).toEqualTypeOf<{ sub: string; role: "user" | "admin" }>();
  });

  it("without roles any string is a role", () => {
    const tokens = createAccessTokens({ keys, issuer: "i", audience: "a" });
    expectTypeOf(tokens.verify).returns.resolves.toHaveProperty("role").toEqualTypeOf<string>();
  });

  it("isTokenError narrows to a code union", () => {
    const check = (error: unknown) => {
      if (isTokenError(error)) expectTypeOf(error.code).toEqualTypeOf<TokenErrorCode>();
    };
    check(undefined);
    expectTypeOf<"expired">().toMatchTypeOf<TokenErrorCode>();
  });
});

import { createHmac } from "node:crypto";
import { TokenError } from "@mpvstream/token";
import { expect } from "vitest";

/** base64url of a JSON value or a string. */
export const b64 = (value: unknown): string =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** A compact JWS signed with HMAC-SHA256 under any secret (for forging tokens). */
export function hs256(header: object, payload: object, secret: Uint8Array | string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** Asserts that a promise (or a function) is refused with a TokenError of this code. */
export async function expectCode(action: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  let error: unknown;
  try {
    await (typeof action === "function" ? action() : action);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(TokenError);
  expect((error as TokenError).code).toBe(code);
}

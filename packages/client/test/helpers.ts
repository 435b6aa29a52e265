import { afterEach, beforeEach } from "vitest";
import { type ClientOptions, createClient, type MpvstreamClient } from "../src/index.js";
import { type ContractFixture, startContractFixture } from "./fixtures/contract-fixture-server.js";

/** Retries without the production backoff, so tests stay quick; counts and order are what they check. */
export const FAST_RETRIES = { limit: 3, delayMs: () => 10 } as const;

/** Starts a fresh contract fixture before each test and closes it after. */
export function useFixture(options: { refreshDelayMs?: number } = {}): { readonly current: ContractFixture } {
  const holder: { current: ContractFixture } = { current: undefined as unknown as ContractFixture };
  beforeEach(async () => {
    holder.current = await startContractFixture(options);
  });
  afterEach(async () => {
    await holder.current.close();
  });
  return holder;
}

export function clientFor(
  fixture: ContractFixture,
  options: Omit<ClientOptions, "baseUrl"> = {},
): MpvstreamClient {
  return createClient({ baseUrl: fixture.url, retries: FAST_RETRIES, ...options });
}

export async function loggedIn(
  fixture: ContractFixture,
  who: "admin" | "demo" = "demo",
  options: Omit<ClientOptions, "baseUrl"> = {},
): Promise<MpvstreamClient> {
  const client = clientFor(fixture, options);
  await client.login(
    who === "admin"
      ? { email: "admin@local", password: "admin-password" }
      : { email: "demo@local", password: "demo" },
  );
  return client;
}

/** Runs `fn` and returns the error it rejects with (fails the test when it resolves). */
export async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to reject");
}

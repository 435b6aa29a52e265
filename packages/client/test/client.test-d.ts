import type {
  LedgerResponse,
  PlaybackRenewResponse,
  PlaybackStartResponse,
  PointsBalanceResponse,
  Stream,
  StreamsResponse,
  TokenResponse,
  User,
} from "@mpvstream/core";
import { describe, expectTypeOf, it } from "vitest";
import {
  type ClientErrorCode,
  createClient,
  isProblemError,
  type MemoryTokenStore,
  type MpvstreamClient,
  type TokenStore,
  type Tokens,
} from "../src/index.js";

declare const client: MpvstreamClient;

describe("method return types", () => {
  it("answers are the core types", () => {
    expectTypeOf(client.login).returns.resolves.toEqualTypeOf<TokenResponse>();
    expectTypeOf(client.me).returns.resolves.toEqualTypeOf<User>();
    expectTypeOf(client.ledger).returns.resolves.toEqualTypeOf<LedgerResponse>();
    expectTypeOf(client.listStreams).returns.resolves.toEqualTypeOf<StreamsResponse>();
    expectTypeOf(client.getStream).returns.resolves.toEqualTypeOf<Stream>();
    expectTypeOf(client.startPlayback).returns.resolves.toEqualTypeOf<PlaybackStartResponse>();
    expectTypeOf(client.renewPlayback).returns.resolves.toEqualTypeOf<PlaybackRenewResponse>();
    expectTypeOf(client.changePoints).returns.resolves.toEqualTypeOf<PointsBalanceResponse>();
    expectTypeOf(client.health).returns.resolves.toEqualTypeOf<{ status: "ok" }>();
    expectTypeOf(client.ready).returns.resolves.toEqualTypeOf<{ status: "ready" }>();
  });

  it("204 calls resolve to void", () => {
    expectTypeOf(client.logout).returns.resolves.toBeVoid();
    expectTypeOf(client.deleteStream).returns.resolves.toBeVoid();
    expectTypeOf(client.stopPlayback).returns.resolves.toBeVoid();
    expectTypeOf(client.revokeSession).returns.resolves.toBeVoid();
  });

  it("request bodies are the core request types", () => {
    expectTypeOf(client.setStreamState).parameter(1).toEqualTypeOf<{ state: "live" | "offline" }>();
    // @ts-expect-error: an unknown stream state
    void client.setStreamState("demo", { state: "paused" });
    // @ts-expect-error: the idempotency key is only for calls that move points
    void client.stopPlayback({ session_id: "s" }, { idempotencyKey: "k" });
    void client.renewPlayback({ session_id: "s" }, { idempotencyKey: "k", signal: AbortSignal.timeout(1) });
  });
});

describe("errors and stores", () => {
  it("isProblemError narrows to a code union that includes the client-side codes", () => {
    const error: unknown = undefined;
    if (isProblemError(error)) {
      expectTypeOf(error.code).toEqualTypeOf<ClientErrorCode>();
      expectTypeOf<"not_logged_in">().toExtend<ClientErrorCode>();
      expectTypeOf<"insufficient_points">().toExtend<ClientErrorCode>();
      expectTypeOf(error.status).toEqualTypeOf<number | undefined>();
    }
  });

  it("a store may be synchronous or asynchronous", () => {
    expectTypeOf<MemoryTokenStore>().toExtend<TokenStore>();
    const asyncStore: TokenStore = {
      get: async (): Promise<Tokens | undefined> => undefined,
      set: async () => {},
      clear: async () => {},
    };
    expectTypeOf(
      createClient({ baseUrl: "http://x", tokenStore: asyncStore }),
    ).toEqualTypeOf<MpvstreamClient>();
  });
});

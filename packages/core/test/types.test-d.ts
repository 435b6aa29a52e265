import { describe, expectTypeOf, it } from "vitest";
import type {
  ErrorCode,
  LedgerEntry,
  PlaybackStartResponse,
  Problem,
  Stream,
  StreamSource,
  StreamState,
  UpdateStreamRequest,
  User,
} from "../src/index.js";
import { canTransition, problem } from "../src/index.js";

describe("inferred types", () => {
  it("User", () => {
    expectTypeOf<User>().toEqualTypeOf<{
      id: string;
      email: string;
      role: "user" | "admin";
      points_balance: number;
    }>();
  });

  it("Stream", () => {
    expectTypeOf<Stream["state"]>().toEqualTypeOf<"offline" | "starting" | "live" | "stopping" | "error">();
    expectTypeOf<Stream["last_error"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<StreamSource>().toEqualTypeOf<
      | { kind: "test" }
      | { kind: "file"; path: string; loop: boolean }
      | { kind: "url"; url: string }
      | { kind: "rtmp"; port: number }
    >();
  });

  it("narrows sources by kind", () => {
    const source = { kind: "rtmp", port: 1935 } as StreamSource;
    if (source.kind === "rtmp") expectTypeOf(source.port).toBeNumber();
  });

  it("LedgerEntry and PlaybackStartResponse", () => {
    expectTypeOf<LedgerEntry["session_id"]>().toEqualTypeOf<string | null>();
    expectTypeOf<PlaybackStartResponse>().toHaveProperty("renew_after_s").toBeNumber();
  });

  it("UpdateStreamRequest has optional fields", () => {
    expectTypeOf<UpdateStreamRequest>().toEqualTypeOf<{
      title?: string | undefined;
      points_per_minute?: number | undefined;
      source?: StreamSource | undefined;
    }>();
  });

  it("problem() takes only known codes", () => {
    expectTypeOf(problem).parameter(0).toEqualTypeOf<ErrorCode>();
    expectTypeOf(problem).returns.toEqualTypeOf<Problem>();
    expectTypeOf(canTransition).parameter(0).toEqualTypeOf<StreamState>();
    // @ts-expect-error: not an error code
    problem("teapot", "x");
  });
});

import type { EndInfo, EndReason, ExitInfo, FirstFrameInfo, MpvPlayer, StallInfo } from "@mpvstream/mpv";
import { expectTypeOf, it } from "vitest";

it("types events by name", () => {
  const on = {} as MpvPlayer["on"];
  expectTypeOf(on<"end-file">)
    .parameter(1)
    .parameter(0)
    .toEqualTypeOf<EndInfo>();
  expectTypeOf(on<"stalled">)
    .parameter(1)
    .parameter(0)
    .toEqualTypeOf<StallInfo>();
  expectTypeOf(on<"exit">)
    .parameter(1)
    .parameter(0)
    .toEqualTypeOf<ExitInfo>();
  expectTypeOf<EndInfo["reason"]>().toEqualTypeOf<EndReason>();
  expectTypeOf<ReturnType<MpvPlayer["firstFrame"]>>().toEqualTypeOf<Promise<FirstFrameInfo>>();
  expectTypeOf<ReturnType<MpvPlayer["get"]>>().toEqualTypeOf<Promise<unknown>>();
});

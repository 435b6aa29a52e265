import { describe, expect, it } from "vitest";
import {
  canTransition,
  describeFieldErrors,
  ERROR_CODES,
  ERRORS,
  fieldErrors,
  findForbiddenKey,
  isErrorCode,
  LoginRequestSchema,
  ProblemSchema,
  problem,
  STREAM_TRANSITIONS,
  StreamStateSchema,
} from "../src/index.js";

describe("problems", () => {
  it.each(ERROR_CODES)("builds a valid problem for %s", (code) => {
    const body = problem(code, "what happened");
    expect(ProblemSchema.parse(body)).toEqual(body);
    expect(body.status).toBe(ERRORS[code].status);
    expect(body.code).toBe(code);
  });

  it("answers only 4xx for client errors and 5xx for the server's own", () => {
    for (const code of ERROR_CODES) {
      const { status } = ERRORS[code];
      if (code === "internal" || code === "service_unavailable") expect(status).toBeGreaterThanOrEqual(500);
      else expect(status).toBeLessThan(500);
    }
  });

  it("knows its codes", () => {
    expect(isErrorCode("rate_limited")).toBe(true);
    expect(isErrorCode("toString")).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });
});

describe("fieldErrors", () => {
  it("names each bad and each unknown field", () => {
    const result = LoginRequestSchema.safeParse({ email: "nope", password: "", extra: 1, other: 2 });
    expect(result.success).toBe(false);
    if (result.success) return;
    const errors = fieldErrors(result.error);
    const paths = errors.map((e) => e.path).sort();
    expect(paths).toEqual(["email", "extra", "other", "password"]);
    expect(errors.find((e) => e.path === "extra")?.message).toBe("unknown field");
    expect(describeFieldErrors(errors)).toContain("email:");
  });

  it("says the body itself is wrong when it is not an object", () => {
    const result = LoginRequestSchema.safeParse("text");
    expect(result.success).toBe(false);
    if (!result.success) expect(fieldErrors(result.error)[0]?.path).toBe("");
  });
});

describe("findForbiddenKey", () => {
  it.each([
    ['{"__proto__":{"admin":true}}', "__proto__"],
    ['{"a":{"constructor":{"prototype":{}}}}', "a.constructor"],
    ['{"a":[{"b":1},{"prototype":1}]}', "a.1.prototype"],
    ['{"a":1,"b":[1,2,{"c":"__proto__"}]}', undefined],
    ["[1,2,3]", undefined],
    ["null", undefined],
  ])("in %s finds %s", (text, expected) => {
    expect(findForbiddenKey(JSON.parse(text))).toBe(expected);
  });
});

describe("stream state machine", () => {
  const states = StreamStateSchema.options;

  it("follows offline -> starting -> live -> stopping -> offline", () => {
    expect(canTransition("offline", "starting")).toBe(true);
    expect(canTransition("starting", "live")).toBe(true);
    expect(canTransition("live", "stopping")).toBe(true);
    expect(canTransition("stopping", "offline")).toBe(true);
  });

  it("reaches error only from starting or live", () => {
    const from = states.filter((s) => canTransition(s, "error"));
    expect(from.sort()).toEqual(["live", "starting"]);
  });

  it.each([
    ["offline", "live"],
    ["offline", "stopping"],
    ["live", "starting"],
    ["stopping", "live"],
    ["live", "live"],
  ] as const)("refuses %s -> %s", (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it("lists a transition for every state", () => {
    expect(Object.keys(STREAM_TRANSITIONS).sort()).toEqual([...states].sort());
  });
});

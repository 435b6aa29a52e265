import { problem } from "@mpvstream/core";
import { describe, expect, it } from "vitest";
import { isProblemError, ProblemError } from "../src/index.js";
import { clientFor, loggedIn, rejection, useFixture } from "./helpers.js";

const fixture = useFixture();

type Client = Awaited<ReturnType<typeof loggedIn>>;

describe("problem answers", () => {
  it.each([
    ["stream_not_found", 404, (c: Client) => c.getStream("nope")],
    ["stream_not_live", 409, (c: Client) => c.startPlayback({ stream_id: "news" })],
    ["forbidden", 403, (c: Client) => c.listUsers()],
    ["validation_failed", 400, (c: Client) => c.updateStream("demo", {})],
    ["session_not_found", 404, (c: Client) => c.renewPlayback({ session_id: "s".repeat(22) })],
  ] as const)("%s (%i) carries the code, status and problem document", async (code, status, call) => {
    const f = fixture.current;
    f.state.addStream({ id: "news", title: "News", points_per_minute: 1, source: { kind: "test" } });
    const error = await rejection(async () =>
      call(await loggedIn(f, code === "validation_failed" ? "admin" : "demo")),
    );
    expect(isProblemError(error)).toBe(true);
    const e = error as ProblemError;
    expect([e.code, e.status, e.problem?.code, e.problem?.status]).toEqual([code, status, code, status]);
    expect(e.message).toContain(code);
  });

  it("validation_failed keeps the field errors", async () => {
    const admin = await loggedIn(fixture.current, "admin");
    const error = await rejection(() => admin.updateStream("demo", { title: "t", extra: 1 } as never));
    expect(isProblemError(error) && error.problem?.errors).toEqual([
      { path: "extra", message: "unknown field" },
    ]);
  });

  it("insufficient_points is 402", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    const demo = f.state.userByEmail("demo@local");
    if (demo !== undefined) demo.points_balance = 3;
    const error = await rejection(() => client.startPlayback({ stream_id: "demo" }));
    expect(isProblemError(error) && [error.code, error.status]).toEqual(["insufficient_points", 402]);
  });

  it("a problem with extension members is still read by its code", async () => {
    const f = fixture.current;
    const body = JSON.stringify({ ...problem("rate_limited", "slow down"), instance: "/req/1" });
    f.inject("GET", "/healthz", {
      kind: "reply",
      status: 429,
      body,
      contentType: "application/problem+json",
    });
    const error = await rejection(() => clientFor(f).health());
    expect(isProblemError(error) && [error.code, error.status, error.problem?.detail]).toEqual([
      "rate_limited",
      429,
      "slow down",
    ]);
  });

  it("an error answer that is not a problem document is invalid_response with its status", async () => {
    const f = fixture.current;
    f.inject("GET", "/healthz", {
      kind: "reply",
      status: 502,
      body: "<html>bad gateway</html>",
      contentType: "text/html",
    });
    const error = await rejection(() => clientFor(f).health());
    expect(isProblemError(error) && [error.code, error.status, error.problem]).toEqual([
      "invalid_response",
      502,
      undefined,
    ]);
  });
});

describe("answers that break the contract", () => {
  it("a success body that fails the core schema is invalid_response, with the issues on cause", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    const bad = { id: "u1", email: "demo@local", role: "superuser", points_balance: -5 };
    f.inject("GET", "/me", { kind: "reply", status: 200, body: JSON.stringify(bad) });
    const error = await rejection(() => client.me());
    expect(isProblemError(error) && [error.code, error.status]).toEqual(["invalid_response", 200]);
    const issues = ((error as Error).cause as { issues: Array<{ path: unknown[] }> }).issues;
    expect(issues.map((i) => i.path[0]).sort()).toEqual(["points_balance", "role"]);
  });

  it("an unknown extra field is refused too (the schemas are strict)", async () => {
    const f = fixture.current;
    f.inject("GET", "/healthz", { kind: "reply", status: 200, body: '{"status":"ok","debug":true}' });
    const error = await rejection(() => clientFor(f).health());
    expect(isProblemError(error) && error.code).toBe("invalid_response");
  });

  it("a success body that is not JSON is invalid_response", async () => {
    const f = fixture.current;
    f.inject("GET", "/healthz", { kind: "reply", status: 200, body: "OK", contentType: "text/plain" });
    const error = await rejection(() => clientFor(f).health());
    expect(isProblemError(error) && error.code).toBe("invalid_response");
  });

  it("a login answer that breaks the schema stores no tokens", async () => {
    const f = fixture.current;
    const client = clientFor(f);
    f.inject("POST", "/auth/login", { kind: "reply", status: 200, body: '{"access_token":"a"}' });
    const error = await rejection(() => client.login({ email: "demo@local", password: "demo" }));
    expect(isProblemError(error) && error.code).toBe("invalid_response");
    expect(await client.tokenStore.get()).toBeUndefined();
  });
});

describe("timeouts and cancellation", () => {
  it("an attempt slower than timeoutMs fails with timeout and is not retried", async () => {
    const f = fixture.current;
    f.inject("GET", "/healthz", { kind: "slow", ms: 3_000 });
    const error = await rejection(() => clientFor(f).health({ timeoutMs: 150 }));
    expect(isProblemError(error) && error.code).toBe("timeout");
    expect(f.seen("GET", "/healthz")).toHaveLength(1);
  });

  it("the client-wide timeoutMs applies too", async () => {
    const f = fixture.current;
    f.inject("GET", "/healthz", { kind: "slow", ms: 3_000 });
    const error = await rejection(() => clientFor(f, { timeoutMs: 150 }).health());
    expect(isProblemError(error) && error.code).toBe("timeout");
  });

  it("the caller's AbortSignal cancels the call with aborted", async () => {
    const f = fixture.current;
    f.inject("GET", "/healthz", { kind: "slow", ms: 3_000 });
    const controller = new AbortController();
    const pending = rejection(() => clientFor(f).health({ signal: controller.signal }));
    while (f.seen("GET", "/healthz").length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const error = await pending;
    expect(isProblemError(error) && error.code).toBe("aborted");
    expect(f.seen("GET", "/healthz")).toHaveLength(1);
  });

  it("an abort during the wait before a retry stops the retries", async () => {
    const f = fixture.current;
    f.inject("GET", "/healthz", { kind: "status", status: 503, retryAfter: "30" });
    const controller = new AbortController();
    const pending = rejection(() => clientFor(f).health({ signal: controller.signal }));
    while (f.seen("GET", "/healthz").length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const error = await pending;
    expect(isProblemError(error) && error.code).toBe("aborted");
    expect(f.seen("GET", "/healthz")).toHaveLength(1);
  });

  it("AbortSignal.timeout() reads as timeout", async () => {
    const f = fixture.current;
    f.inject("GET", "/healthz", { kind: "slow", ms: 3_000 });
    const error = await rejection(() => clientFor(f).health({ signal: AbortSignal.timeout(100) }));
    expect(isProblemError(error) && error.code).toBe("timeout");
  });
});

describe("isProblemError", () => {
  it("is duck-typed on name and code, so it works across duplicate installs", () => {
    const foreign = Object.assign(new Error("x"), { name: "ProblemError", code: "forbidden" });
    expect(isProblemError(foreign)).toBe(true);
    expect(isProblemError(new ProblemError("timeout", "t"))).toBe(true);
    expect(isProblemError(new Error("x"))).toBe(false);
    expect(isProblemError({ name: "ProblemError", code: "forbidden" })).toBe(false);
    expect(isProblemError(undefined)).toBe(false);
  });
});

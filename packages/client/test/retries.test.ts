import { type AddressInfo, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { createClient, isProblemError } from "../src/index.js";
import { clientFor, loggedIn, rejection, useFixture } from "./helpers.js";

const fixture = useFixture();

describe("retries: lost requests and 503", () => {
  it("retries a 503 after the Retry-After the server asked for", async () => {
    const f = fixture.current;
    f.inject("GET", "/healthz", { kind: "status", status: 503, retryAfter: "1" });
    // The client's own backoff is 10 ms here, so only Retry-After explains a wait of a second.
    expect(await clientFor(f).health()).toEqual({ status: "ok" });
    const [first, second] = f.seen("GET", "/healthz");
    expect([first?.status, second?.status]).toEqual([503, 200]);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it("gives up after the bounded number of retries with service_unavailable", async () => {
    const f = fixture.current;
    const client = clientFor(f, { retries: { limit: 2, delayMs: () => 5 } });
    f.inject(
      "GET",
      "/healthz",
      ...Array.from({ length: 5 }, () => ({ kind: "status" as const, status: 503 })),
    );
    const error = await rejection(() => client.health());
    expect(isProblemError(error) && [error.code, error.status]).toEqual(["service_unavailable", 503]);
    expect(f.seen("GET", "/healthz")).toHaveLength(3);
  });

  it("does not wait for a Retry-After longer than maxRetryAfterMs", async () => {
    const f = fixture.current;
    const client = clientFor(f, { retries: { limit: 3, delayMs: () => 5, maxRetryAfterMs: 5_000 } });
    f.inject("GET", "/healthz", { kind: "status", status: 503, retryAfter: "3600" });
    const error = await rejection(() => client.health());
    expect(isProblemError(error) && [error.code, error.retryAfterMs]).toEqual([
      "service_unavailable",
      3_600_000,
    ]);
    expect(f.seen("GET", "/healthz")).toHaveLength(1);
  });

  it("does not retry other error answers", async () => {
    const f = fixture.current;
    f.inject("GET", "/healthz", { kind: "status", status: 500 });
    const error = await rejection(() => clientFor(f).health());
    expect(isProblemError(error) && error.code).toBe("internal");
    expect(f.seen("GET", "/healthz")).toHaveLength(1);
  });

  it("ready() reports a 503 at once unless asked to retry", async () => {
    const f = fixture.current;
    f.state.ready = false;
    const error = await rejection(() => clientFor(f).ready());
    expect(isProblemError(error) && error.code).toBe("service_unavailable");
    expect(f.seen("GET", "/readyz")).toHaveLength(1);
    f.inject("GET", "/readyz", { kind: "status", status: 503 });
    f.state.ready = true;
    expect(await clientFor(f).ready({ retries: 1 })).toEqual({ status: "ready" });
  });

  it("retries a GET whose connection was destroyed before the answer", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    f.inject("GET", "/streams", { kind: "drop" }, { kind: "drop" });
    expect((await client.listStreams()).streams).toHaveLength(1);
    expect(f.seen("GET", "/streams").map((r) => r.status)).toEqual(["dropped", "dropped", 200]);
  });

  it("retries when the connection drops in the middle of the answer body", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    f.inject("GET", "/me", { kind: "drop-after-headers" });
    expect((await client.me()).email).toBe("demo@local");
    expect(f.seen("GET", "/me").map((r) => r.status)).toEqual(["dropped", 200]);
  });

  it("fails with network_error once the retries are spent", async () => {
    const f = fixture.current;
    f.inject("GET", "/healthz", ...Array.from({ length: 4 }, () => ({ kind: "drop" as const })));
    const error = await rejection(() => clientFor(f).health());
    expect(isProblemError(error) && error.code).toBe("network_error");
    expect(f.seen("GET", "/healthz")).toHaveLength(4);
  });

  it("does not send a create twice when its fate is unknown", async () => {
    const f = fixture.current;
    const admin = await loggedIn(f, "admin");
    f.inject("POST", "/streams", { kind: "drop" });
    const error = await rejection(() =>
      admin.createStream({ id: "news", title: "News", points_per_minute: 1, source: { kind: "test" } }),
    );
    expect(isProblemError(error) && error.code).toBe("network_error");
    expect(f.seen("POST", "/streams")).toHaveLength(1);
  });

  it("fails with network_error when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const client = createClient({
      baseUrl: `http://127.0.0.1:${port}`,
      retries: { limit: 1, delayMs: () => 5 },
    });
    const error = await rejection(() => client.health());
    expect(isProblemError(error) && error.code).toBe("network_error");
  });
});

describe("Idempotency-Key", () => {
  it("start: a lost answer is retried with the same key and the server debits once", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    f.inject("POST", "/playback/start", { kind: "drop-while-processing", ms: 0 });
    const started = await client.startPlayback({ stream_id: "demo" });
    const attempts = f.seen("POST", "/playback/start");
    expect(attempts.map((r) => r.status)).toEqual(["dropped", 201]);
    const keys = attempts.map((r) => r.headers["idempotency-key"]);
    expect(keys[0]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(started.points_balance).toBe(990);
    expect((await client.me()).points_balance).toBe(990);
    expect(f.state.sessions.size).toBe(1);
  });

  it("renew: the key is reused across 503 retries, and a 409 in progress is waited out", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    const { session_id } = await client.startPlayback({ stream_id: "demo" });
    const session = f.state.sessions.get(session_id);
    if (session !== undefined) session.expires_at = new Date(Date.now() + 1_000).toISOString();
    f.inject(
      "POST",
      "/playback/renew",
      { kind: "status", status: 503 },
      { kind: "drop-while-processing", ms: 1_000 },
    );
    const slow = clientFor(f, { tokenStore: client.tokenStore, retries: { limit: 30, delayMs: () => 100 } });
    const renewed = await slow.renewPlayback({ session_id });
    const attempts = f.seen("POST", "/playback/renew");
    const statuses = attempts.map((r) => r.status);
    expect(statuses.slice(0, 2)).toEqual([503, "dropped"]);
    expect(statuses).toContain(409);
    expect(statuses.at(-1)).toBe(200);
    expect(new Set(attempts.map((r) => r.headers["idempotency-key"])).size).toBe(1);
    expect(renewed.points_charged).toBe(10);
    expect((await client.ledger()).entries.map((e) => e.delta)).toEqual([-10, -10]);
  });

  it("changePoints: the key survives the 401 refresh retry too", async () => {
    const f = fixture.current;
    const admin = await loggedIn(f, "admin");
    const demo = f.state.userByEmail("demo@local");
    f.state.access.clear();
    f.inject("POST", `/admin/users/${demo?.id}/points`, { kind: "drop" });
    const answer = await admin.changePoints(demo?.id ?? "", { delta: 5, reason: "grant" });
    expect(answer).toEqual({ points_balance: 1005 });
    const attempts = f.seen("POST", `/admin/users/${demo?.id}/points`);
    expect(attempts.map((r) => r.status)).toEqual(["dropped", 401, 200]);
    expect(new Set(attempts.map((r) => r.headers["idempotency-key"])).size).toBe(1);
  });

  it("each call gets its own key; a caller's key is sent as given and replays the first answer", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    const a = await client.startPlayback({ stream_id: "demo" });
    const b = await client.startPlayback({ stream_id: "demo" });
    expect(a.session_id).not.toBe(b.session_id);
    const keys = f.seen("POST", "/playback/start").map((r) => r.headers["idempotency-key"]);
    expect(keys[0]).not.toBe(keys[1]);

    const c = await client.startPlayback({ stream_id: "demo" }, { idempotencyKey: "my-key-1" });
    const again = await client.startPlayback({ stream_id: "demo" }, { idempotencyKey: "my-key-1" });
    expect(again).toEqual(c);
    expect(f.seen("POST", "/playback/start").at(-1)?.headers["idempotency-key"]).toBe("my-key-1");
    expect((await client.me()).points_balance).toBe(970);

    const reused = await rejection(() =>
      client.startPlayback({ stream_id: "other" }, { idempotencyKey: "my-key-1" }),
    );
    expect(isProblemError(reused) && [reused.code, reused.status]).toEqual(["idempotency_key_reused", 422]);
  });

  it("calls that do not move points send no key", async () => {
    const f = fixture.current;
    const client = await loggedIn(f);
    const { session_id } = await client.startPlayback({ stream_id: "demo" });
    await client.stopPlayback({ session_id });
    expect(f.seen("POST", "/playback/stop")[0]?.headers["idempotency-key"]).toBeUndefined();
  });
});

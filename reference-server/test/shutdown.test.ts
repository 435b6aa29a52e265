import { describe, expect, it } from "vitest";
import { ADMIN, http, testServer } from "./helpers.js";

describe("graceful shutdown", () => {
  it("finishes the request in flight, refuses new connections, then closes the store", async () => {
    const server = await testServer("pglite");
    const api = http(server.url);
    const token = (await api.login(ADMIN.email, ADMIN.password)).access_token;
    await api.post(
      "/streams",
      { id: "s", title: "s", points_per_minute: 0, source: { kind: "test" } },
      token,
    );
    await api.post("/streams/s/state", { state: "live" }, token);
    // Hold one playback start inside the server until the shutdown has begun.
    const billing = server.context.billing;
    const start = billing.start.bind(billing);
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    billing.start = async (input) => {
      entered();
      await held;
      return start(input);
    };
    const inFlight = api.post("/playback/start", { stream_id: "s" }, token);
    await inside;
    const closing = server.close(10_000);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    release();
    const answer = await inFlight;
    expect(answer.status).toBe(201);
    await closing;
    // The request committed before the store closed: its session is known.
    expect(server.sessions.isActive(answer.body.session_id)).toBe(true);
    await server.stop();
  });
});

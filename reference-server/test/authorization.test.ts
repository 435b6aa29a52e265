import { ENDPOINTS } from "@mpvstream/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, http, type TestServer, testServer } from "./helpers.js";

/** A plausible body for each endpoint, so that a 403 cannot come from validation running first. */
const BODIES: Record<string, unknown> = {
  createStream: { id: "matrix", title: "m", points_per_minute: 1, source: { kind: "test" } },
  updateStream: { title: "changed" },
  setStreamState: { state: "live" },
  createUser: { email: "new@example.test", password: "long-enough", role: "admin" },
  changePoints: { delta: 1000, reason: "steal" },
};

describe("authorization matrix", () => {
  let server: TestServer;
  let api: ReturnType<typeof http>;
  let admin: string;
  let alice: { access_token: string; user: { id: string } };
  let bob: { access_token: string; user: { id: string } };
  let session: string;

  beforeAll(async () => {
    server = await testServer("pglite");
    api = http(server.url);
    admin = (await api.login(ADMIN.email, ADMIN.password)).access_token;
    for (const email of ["alice@example.test", "bob@example.test"]) {
      await api.post(
        "/admin/users",
        { email, password: "user-password", role: "user", points_balance: 100 },
        admin,
      );
    }
    alice = await api.login("alice@example.test", "user-password");
    bob = await api.login("bob@example.test", "user-password");
    await api.post(
      "/streams",
      { id: "s", title: "s", points_per_minute: 1, source: { kind: "test" } },
      admin,
    );
    await api.post("/streams/s/state", { state: "live" }, admin);
    session = (await api.post("/playback/start", { stream_id: "s" }, alice.access_token)).body.session_id;
  });
  afterAll(() => server.stop());

  const adminEndpoints = Object.entries(ENDPOINTS).filter(([, e]) => e.auth === "admin");

  it("covers every admin route of the contract", () => {
    expect(adminEndpoints.map(([name]) => name).sort()).toEqual(
      [
        "changePoints",
        "createStream",
        "createUser",
        "deleteStream",
        "errors",
        "listSessions",
        "listUsers",
        "metrics",
        "restartStream",
        "revokeSession",
        "setStreamState",
        "updateStream",
      ].sort(),
    );
  });

  it.each(adminEndpoints)("%s with a user token: 403 forbidden, nothing changed", async (name, endpoint) => {
    const path = endpoint.path.replace(
      "{id}",
      name === "changePoints" ? bob.user.id : name === "revokeSession" ? session : "s",
    );
    const res = await api.call(endpoint.method, path, {
      token: bob.access_token,
      ...(BODIES[name] !== undefined ? { body: BODIES[name] } : {}),
    });
    expect([res.status, res.body.code]).toEqual([403, "forbidden"]);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });

  it("after the matrix, nothing was changed by it", async () => {
    expect((await api.get("/me", bob.access_token)).body.points_balance).toBe(100);
    expect(server.sessions.isActive(session)).toBe(true);
    expect((await api.get("/streams/s", admin)).body.title).toBe("s");
    expect((await api.get("/admin/users", admin)).body.users).toHaveLength(3);
  });

  it.each([
    ["renew", "/playback/renew"],
    ["stop", "/playback/stop"],
  ])("%s of another user's session: 403 forbidden", async (_name, path) => {
    const res = await api.post(path, { session_id: session }, bob.access_token);
    expect([res.status, res.body.code]).toEqual([403, "forbidden"]);
    expect(server.sessions.isActive(session)).toBe(true);
  });

  it("every user and admin route without a token: 401", async () => {
    for (const endpoint of Object.values(ENDPOINTS).filter((e) => e.auth === "user" || e.auth === "admin")) {
      const res = await api.call(
        endpoint.method,
        endpoint.path.replace("{id}", "s"),
        endpoint.method === "GET" ? {} : { body: {} },
      );
      expect([endpoint.path, res.status]).toEqual([endpoint.path, 401]);
    }
  });
});

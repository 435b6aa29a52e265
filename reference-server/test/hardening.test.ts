import { Writable } from "node:stream";
import { ENDPOINTS, ProblemSchema } from "@mpvstream/core";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, http, type TestServer, testServer } from "./helpers.js";

describe("hardening and monitoring", () => {
  let server: TestServer;
  let api: ReturnType<typeof http>;
  let admin: string;
  const logs: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    server = await testServer(
      "pglite",
      { metricsToken: "metrics-token-0123456789" },
      { logger: pino({ level: "debug" }, sink) },
    );
    api = http(server.url);
    admin = (await api.login(ADMIN.email, ADMIN.password)).access_token;
  });
  afterAll(() => server.stop());

  it("answers health, readiness and the OpenAPI document", async () => {
    expect((await api.get("/healthz")).body).toEqual({ status: "ok" });
    expect((await api.get("/readyz")).body).toEqual({ status: "ready" });
    const doc = (await api.get("/openapi.json")).body;
    expect(doc.openapi).toBe("3.1.0");
    for (const endpoint of Object.values(ENDPOINTS)) {
      expect(doc.paths[endpoint.path]?.[endpoint.method.toLowerCase()], endpoint.path).toBeDefined();
    }
    const login = doc.paths["/auth/login"].post;
    expect(login.requestBody.content["application/json"].schema.properties.email).toBeDefined();
    expect(
      doc.paths["/playback/start"].post.parameters.some(
        (p: { name: string }) => p.name === "Idempotency-Key",
      ),
    ).toBe(true);
  });

  it("sets security headers and request ids, and hides the framework", async () => {
    const res = await api.call("GET", "/healthz", { headers: { "x-request-id": "abc-123" } });
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("x-powered-by")).toBeNull();
    expect(res.headers.get("x-request-id")).toBe("abc-123");
    const bad = await api.call("GET", "/healthz", { headers: { "x-request-id": "bad id with spaces" } });
    expect(bad.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses bad bodies with problem+json: 413, unknown fields, prototype keys, bad JSON, wrong type", async () => {
    const big = await api.call("POST", "/auth/login", {
      raw: JSON.stringify({ email: "a@b", password: "x".repeat(20_000) }),
    });
    expect([big.status, big.body.code]).toEqual([413, "payload_too_large"]);
    const unknown = await api.post("/auth/login", { email: "a@b", password: "x", admin: true });
    expect([unknown.status, unknown.body.code]).toEqual([400, "validation_failed"]);
    expect(unknown.body.errors).toEqual([{ path: "admin", message: "unknown field" }]);
    const proto = await api.call("POST", "/auth/login", {
      raw: '{"email":"a@b","password":"x","__proto__":{"role":"admin"}}',
    });
    expect([proto.status, proto.body.code, proto.body.errors[0].path]).toEqual([
      400,
      "validation_failed",
      "__proto__",
    ]);
    const broken = await api.call("POST", "/auth/login", { raw: '{"email":' });
    expect([broken.status, broken.body.code]).toEqual([400, "validation_failed"]);
    const text = await api.call("POST", "/auth/login", {
      raw: "email=a",
      headers: { "content-type": "text/plain" },
    });
    expect([text.status, text.body.code]).toEqual([400, "validation_failed"]);
    expect(text.body.detail).toContain("Content-Type: application/json");
    const missing = await api.call("GET", "/no/such/route");
    expect([missing.status, missing.body.code]).toEqual([404, "not_found"]);
    for (const res of [big, unknown, proto, broken, text, missing]) {
      expect(ProblemSchema.safeParse(res.body).success).toBe(true);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
  });

  it("streams: CRUD, state changes, 409 on invalid transitions and deleting a live stream", async () => {
    const create = { id: "cam", title: "Cam", points_per_minute: 2, source: { kind: "rtmp", port: 1935 } };
    expect((await api.post("/streams", create, admin)).status).toBe(201);
    expect((await api.post("/streams", create, admin)).body.code).toBe("stream_exists");
    const patched = await api.call("PATCH", "/streams/cam", {
      token: admin,
      body: { title: "Camera", points_per_minute: 3 },
    });
    expect(patched.body).toMatchObject({
      title: "Camera",
      points_per_minute: 3,
      source: { kind: "rtmp", port: 1935 },
    });
    expect((await api.call("PATCH", "/streams/cam", { token: admin, body: {} })).status).toBe(400);
    expect((await api.call("PATCH", "/streams/nope", { token: admin, body: { title: "x" } })).body.code).toBe(
      "stream_not_found",
    );
    expect((await api.post("/streams/cam/restart", undefined, admin)).body.code).toBe("invalid_transition");
    const live = await api.post("/streams/cam/state", { state: "live" }, admin);
    expect([live.status, live.body.state]).toEqual([202, "live"]);
    expect((await api.post("/streams/cam/restart", undefined, admin)).body.state).toBe("live");
    const del = await api.call("DELETE", "/streams/cam", { token: admin });
    expect([del.status, del.body.code]).toEqual([409, "invalid_transition"]);
    expect((await api.post("/streams/cam/state", { state: "offline" }, admin)).body.state).toBe("offline");
    expect((await api.call("DELETE", "/streams/cam", { token: admin })).status).toBe(204);
    expect((await api.get("/streams/cam", admin)).body.code).toBe("stream_not_found");
    expect((await api.get("/streams/..%2f..%2fetc", admin)).body.code).toBe("stream_not_found");
  });

  it("reports metrics, errors and Prometheus text behind METRICS_TOKEN", async () => {
    await api.post("/auth/login", { email: ADMIN.email, password: "wrong-password" });
    const metrics = await api.get("/monitoring/metrics", admin);
    expect(metrics.body).toMatchObject({ active_sessions: 0, points_spent_per_minute: 0, streams_live: 0 });
    expect(metrics.body.login_failures).toBeGreaterThanOrEqual(1);
    expect((await api.get("/monitoring/errors", admin)).body).toEqual({ errors: expect.any(Array) });
    expect((await api.get("/metrics")).status).toBe(401);
    const prom = await api.call("GET", "/metrics", { token: "metrics-token-0123456789" });
    expect(prom.status).toBe(200);
    expect(prom.body).toContain("mpvstream_http_requests_total");
    expect(prom.body).toContain("mpvstream_login_failures_total");
    expect(prom.body).toContain("mpvstream_active_sessions");
  });

  it("never logs passwords, tokens or Authorization headers", async () => {
    const login = await api.login(ADMIN.email, ADMIN.password);
    await api.get("/me", login.access_token);
    await api.post("/auth/refresh", { refresh_token: login.refresh_token });
    await api.call("GET", `/me?token=${login.access_token}`, { token: login.access_token });
    const text = logs.join("");
    expect(text).toContain('"route":"/me"');
    expect(text).toContain('"reqId"');
    for (const secret of [ADMIN.password, login.access_token, login.refresh_token, "Bearer "]) {
      expect(text.includes(secret), secret.slice(0, 12)).toBe(false);
    }
  });
});

// Renewals through a network blip, against the real server behind a TCP proxy that loses answers:
// the renew reaches the server and charges, the answer is lost, and every retry carries the same
// Idempotency-Key, so the period is paid once.
import net from "node:net";
import { createClient, type MpvstreamClient } from "@mpvstream/client";
import type { PlaybackRenewResponse } from "@mpvstream/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Renewer } from "../src/internal/renewer.js";
import { eventually, type Platform, startPlatform } from "./harness.js";

type Mode = "pass" | "lose-answers";

let platform: Platform;
let proxy: net.Server;
let proxyUrl: string;
let mode: Mode = "pass";
let lost = 0;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  platform = await startPlatform({ sessionPeriodS: 5 });
  await platform.admin.createStream({
    id: "blip",
    title: "Blip",
    points_per_minute: 60,
    source: { kind: "test" },
  });
  await platform.admin.setStreamState("blip", { state: "live" });
  const target = new URL(platform.url);
  proxy = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.on("error", () => {}).on("close", () => upstream.destroy());
    upstream.on("error", () => {}).on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.on("data", (chunk) => {
      if (mode === "lose-answers") {
        // The request reached the server; its answer is lost on the way back.
        lost++;
        client.destroy();
        upstream.destroy();
      } else {
        client.write(chunk);
      }
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => proxy?.close(resolve));
  await platform?.close();
});

it("retries a renew whose answers are lost with one key, and the period is charged once", async () => {
  await platform.user("blip@example.test", 100);
  const client: MpvstreamClient = createClient({
    baseUrl: proxyUrl,
    retries: { limit: 1, delayMs: () => 100 },
  });
  await client.login({ email: "blip@example.test", password: "viewer-password" });
  const started = await client.startPlayback({ stream_id: "blip" });
  expect(started.points_charged).toBe(5);

  const renewed: PlaybackRenewResponse[] = [];
  const retries: unknown[] = [];
  const failures: unknown[] = [];
  mode = "lose-answers";
  const renewer = new Renewer({
    client,
    sessionId: started.session_id,
    expiresAt: Date.parse(started.expires_at),
    renewAfterS: 1,
    retryDelayMs: 300,
    renewed: (answer) => {
      renewed.push(answer);
      renewer.stop();
    },
    retrying: (error) => retries.push(error),
    outOfPoints: () => failures.push("402"),
    failed: (error) => failures.push(error),
  });
  renewer.start();
  await eventually(() => (retries.length >= 2 ? true : undefined), 20_000);
  mode = "pass";
  await eventually(() => (renewed.length === 1 ? true : undefined), 20_000);
  expect(failures).toEqual([]);
  expect(lost).toBeGreaterThanOrEqual(2);
  expect(renewed[0]?.points_charged).toBe(5);
  expect(renewed[0]?.points_balance).toBe(90);

  const { entries } = await client.ledger({ limit: 20 });
  const debits = entries.filter((e) => e.session_id === started.session_id).map((e) => e.delta);
  expect(debits).toEqual([-5, -5]);
  expect((await client.me()).points_balance).toBe(90);
  await client.stopPlayback({ session_id: started.session_id });
});

it("reports 402 as out of points with the end of the paid period", async () => {
  await platform.user("short@example.test", 5);
  const client = createClient({ baseUrl: platform.url });
  await client.login({ email: "short@example.test", password: "viewer-password" });
  const started = await client.startPlayback({ stream_id: "blip" });
  const outcome = await new Promise<number | unknown>((resolve) => {
    const renewer = new Renewer({
      client,
      sessionId: started.session_id,
      expiresAt: Date.parse(started.expires_at),
      renewAfterS: started.renew_after_s,
      renewed: () => {},
      retrying: () => {},
      outOfPoints: (expiresAt) => resolve(expiresAt),
      failed: (error) => resolve(error),
    });
    renewer.start();
  });
  expect(outcome).toBe(Date.parse(started.expires_at));
  await client.stopPlayback({ session_id: started.session_id });
});

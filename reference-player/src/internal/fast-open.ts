import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import type { MpvPlayer } from "@mpvstream/mpv";
import { CredentialsFile, configDir } from "./credentials.js";
import { requestJson } from "./fast-http.js";
import type { Io } from "./io.js";
import { resolveServer } from "./server.js";
import type { Signals } from "./signals.js";
import { mark } from "./trace.js";

/** `ENDPOINTS.playbackStart` and `ENDPOINTS.getStream` of `@mpvstream/core` (a test keeps them equal). */
export const START_PATH = "/playback/start";
export const STREAM_PATH = "/streams/{id}";

/** A saved access token this close to its expiry is not tried: the client refreshes it first. */
const EXPIRY_MARGIN_MS = 30_000;

/** How long `play` waits for the first frame before it loads the rest (the frame usually takes 30 ms). */
const FIRST_FRAME_WAIT_MS = 3000;

/** What {@link openFast} did before the HTTP client was loaded. */
export interface FastOpen {
  /**
   * The Idempotency-Key of the session start. When the start has to be done (again) through the
   * client, it is sent with this key: a start that reached the server is answered, not charged twice.
   */
  readonly idempotencyKey: string;
  /** The server's 201 answer to the start, not validated yet; absent when the client must start. */
  readonly session?: unknown;
  /** The stream's 200 document, not validated yet. */
  readonly stream?: unknown;
  /** Whether mpv was given the session's playback URL. */
  readonly loaded: boolean;
  /** `Date.now()` of the first frame, if it came before {@link openFast} returned. */
  readonly firstFrameAt?: number;
}

/**
 * The start of `play` on the way to the first frame, without `@mpvstream/client` (whose zod
 * schemas and `fetch` take 50 ms or more to load on a small machine): reads the saved login, looks
 * the stream up and, once mpv answers, starts the session over `node:http`, loads the playback URL
 * into mpv and waits for the first frame. It tries only the path where everything goes right;
 * anything else (no login, a token about to expire, an error answer, a lost request) returns what
 * was done so far, and `play` finishes the job through the client, which refreshes, retries and
 * explains as usual.
 */
export async function openFast(
  io: Io,
  what: {
    readonly server: string | undefined;
    readonly streamId: string;
    readonly launching: Promise<MpvPlayer>;
    /** The IPC socket of the mpv that bin/mpvstream started, if it did. */
    readonly socketPath?: string | undefined;
    readonly signals: Signals;
  },
): Promise<FastOpen> {
  const idempotencyKey = randomUUID();
  const nothing: FastOpen = { idempotencyKey, loaded: false };
  const saved = await new CredentialsFile(configDir(io.env)).read();
  if (saved === undefined) return nothing;
  let server: string;
  try {
    server = resolveServer(what.server, io.env, saved.server);
  } catch {
    return nothing;
  }
  if (saved.server !== server || (saved.expiresAt ?? 0) - Date.now() < EXPIRY_MARGIN_MS) return nothing;
  const authorization = `Bearer ${saved.accessToken}`;

  // The stream is looked up while mpv comes up (its title names mpv's window).
  const looking = requestJson(server + STREAM_PATH.replace("{id}", encodeURIComponent(what.streamId)), {
    method: "GET",
    headers: { authorization },
    timeoutMs: 5000,
  }).then(
    (answer) => (answer.status === 200 ? answer.body : undefined),
    () => undefined,
  );
  // The session is started only once mpv runs with its options: a missing mpv or an option it
  // refuses costs nothing. mpv reads its command line before it opens its IPC socket, so the socket
  // of the launcher's mpv says that already, while mpv still finishes its start-up.
  if (!(await mpvAccepted(what.launching, what.socketPath)) || what.signals.received !== undefined)
    return nothing;
  mark("play: mpv accepted its options");
  const starting = requestJson(server + START_PATH, {
    method: "POST",
    headers: { authorization, "idempotency-key": idempotencyKey },
    body: { stream_id: what.streamId },
    timeoutMs: 10_000,
  }).catch(() => undefined);
  const started = await starting;
  const session = started?.status === 201 ? started.body : undefined;
  const url = (session as { playback_url?: unknown } | undefined)?.playback_url;
  if (session === undefined || typeof url !== "string") return nothing;
  mark("play: session started");
  // An mpv that fails now (after reading its options) leaves play to stop the session.
  const player = await what.launching.catch(() => undefined);
  mark("play: mpv ready");
  if (player === undefined) return { idempotencyKey, session, loaded: false };
  const stream = await looking;
  const title = (stream as { title?: unknown } | undefined)?.title;
  try {
    await player.loadfile(url, typeof title === "string" ? { options: { "force-media-title": title } } : {});
  } catch {
    return { idempotencyKey, session, stream, loaded: false };
  }
  mark("play: loadfile accepted");
  // Nothing heavy runs until mpv shows the first frame (or gives up): then the client is loaded.
  let firstFrameAt: number | undefined;
  await Promise.race([
    player.firstFrame().then(() => {
      firstFrameAt = Date.now();
      mark("play: first frame");
    }),
    player.ended(),
    player.exited(),
    new Promise((resolve) => setTimeout(resolve, FIRST_FRAME_WAIT_MS).unref()),
  ]).catch(() => {});
  return { idempotencyKey, session, stream, loaded: true, ...(firstFrameAt ? { firstFrameAt } : {}) };
}

/**
 * Resolves true once mpv is known to run with its options: its IPC socket exists (the launcher's
 * mpv), or the player is ready; false when mpv failed, or was refused (an option this package
 * controls: that refusal is already settled, and is seen before the socket is looked at).
 */
function mpvAccepted(launching: Promise<MpvPlayer>, socketPath: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (accepted: boolean) => {
      if (settled) return;
      settled = true;
      resolve(accepted);
    };
    launching.then(
      () => settle(true),
      () => settle(false),
    );
    if (socketPath === undefined) return;
    const look = () => {
      if (settled) return;
      if (existsSync(socketPath)) settle(true);
      else setTimeout(look, 2);
    };
    // After the promise jobs: a launch that has already failed settles first.
    setImmediate(look);
  });
}

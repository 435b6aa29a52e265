import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { type ErrorCode, PROBLEM_CONTENT_TYPE, problem } from "@mpvstream/core";
import type { SegmentCache } from "./segment-cache.js";

/** What the gate needs to know of a playback session, from the in-memory session cache. */
export interface GateSession {
  readonly streamId: string;
  /** End of the paid period, in ms since the epoch. */
  readonly expiresAt: number;
  /** When the viewer stopped it or an admin revoked it (never served again), or `null`. */
  readonly endedAt: number | null;
}

/** Why the gate refused a request, for metrics and the error log. */
export type GateRefusal =
  | "bad_path"
  | "unknown_session"
  | "session_ended"
  | "session_expired"
  | "stream_not_live"
  | "not_found";

/** Dependencies and settings of {@link createGate}. */
export interface GateOptions {
  /** `DATA_DIR/hls`: each stream's files are in `<hlsRoot>/<stream_id>/`. */
  readonly hlsRoot: string;
  /** Looks a session up in memory (no store query per request). */
  readonly lookupSession: (sessionId: string) => GateSession | undefined;
  /** Whether the stream is live now. */
  readonly isStreamLive: (streamId: string) => boolean;
  /** Served files, shared by all viewers. */
  readonly cache: SegmentCache;
  /** How long after `expires_at` a session is still honoured. Default 10 s. */
  readonly graceMs?: number;
  /** Injected clock, ms since the epoch. */
  readonly clock?: () => number;
  /** Called for every refused request. */
  readonly onRefusal?: (
    reason: GateRefusal,
    sessionId: string | undefined,
    streamId: string | undefined,
  ) => void;
}

const CONTENT_TYPES: Record<string, string> = {
  ".m3u8": "application/vnd.apple.mpegurl",
  ".ts": "video/mp2t",
  ".m4s": "video/iso.segment",
  ".mp4": "video/mp4",
  ".aac": "audio/aac",
  ".vtt": "text/vtt",
};

/**
 * The only request paths the gate accepts: a session id, then at most three directory levels and a
 * file name, each made of `[A-Za-z0-9._-]` and never starting with a dot. Anything else (`..`, any
 * `%` encoding, backslashes, NUL, doubled or absolute slashes) is refused before the file system is
 * touched.
 */
const PLAY_PATH =
  /^\/play\/([A-Za-z0-9_-]{16,64})\/((?:[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}\/){0,3}[A-Za-z0-9_-][A-Za-z0-9._-]{0,127})$/;

/** What the gate decided for one `/play/` path. */
type Decision =
  | { ok: true; sessionId: string; session: GateSession; file: string; type: string }
  | { ok: false; reason: GateRefusal; sessionId?: string | undefined; streamId?: string | undefined };

/** Where an NGINX edge asks whether to serve a `/play/` request (`auth_request`). */
export const EDGE_AUTH_PATH = "/edge/auth";

/**
 * Creates the `/play/{session_id}/{file...}` handler (and {@link EDGE_AUTH_PATH}). It answers from memory: the session from the
 * session cache, the stream's state from the pipeline manager, and the file from the segment cache.
 * Returns `false` for requests that are not under `/play/`, so it can sit in front of another handler.
 */
export function createGate(options: GateOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const graceMs = options.graceMs ?? 10_000;
  const clock = options.clock ?? Date.now;
  const root = path.resolve(options.hlsRoot);

  const refuse = (
    res: ServerResponse,
    reason: GateRefusal,
    sessionId: string | undefined,
    streamId: string | undefined,
  ): void => {
    options.onRefusal?.(reason, sessionId, streamId);
    const [code, detail] = describe(reason);
    sendProblem(res, code, detail);
  };

  /**
   * NGINX's `auth_request` for an edge that serves `/play/` itself (see `nginxEdgeConfig`): the
   * original URI comes in `X-Original-URI`; 204 with the stream in `X-Mpvstream-Stream` allows it,
   * 403 refuses it (auth_request passes on only 401 and 403; anything else would be a 500).
   */
  const edgeAuth = (req: IncomingMessage, res: ServerResponse): void => {
    const original = req.headers["x-original-uri"];
    const decision = authorize(typeof original === "string" ? original : "");
    if (!decision.ok) {
      options.onRefusal?.(decision.reason, decision.sessionId, decision.streamId);
      res.writeHead(403, { "Cache-Control": "no-store", "Content-Length": 0 }).end();
      return;
    }
    res
      .writeHead(204, { "X-Mpvstream-Stream": decision.session.streamId, "Cache-Control": "no-store" })
      .end();
  };

  /** Whether the session may fetch `url` (a `/play/...` path); the session and file when it may. */
  const authorize = (url: string): Decision => {
    const query = url.indexOf("?");
    const match = PLAY_PATH.exec(query === -1 ? url : url.slice(0, query));
    const sessionId = match?.[1];
    const file = match?.[2];
    const type = file === undefined ? undefined : CONTENT_TYPES[path.extname(file)];
    if (sessionId === undefined || file === undefined || type === undefined)
      return { ok: false, reason: "bad_path", sessionId };
    const session = options.lookupSession(sessionId);
    if (session === undefined) return { ok: false, reason: "unknown_session", sessionId };
    const streamId = session.streamId;
    if (session.endedAt !== null) return { ok: false, reason: "session_ended", sessionId, streamId };
    if (clock() > session.expiresAt + graceMs)
      return { ok: false, reason: "session_expired", sessionId, streamId };
    if (!options.isStreamLive(streamId)) return { ok: false, reason: "stream_not_live", sessionId, streamId };
    return { ok: true, sessionId, session, file, type };
  };

  return (req, res) => {
    const url = req.url ?? "";
    if (url === EDGE_AUTH_PATH) {
      edgeAuth(req, res);
      return true;
    }
    if (!url.startsWith("/play/")) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      sendProblem(res, "not_found", "Only GET and HEAD are served under /play/.", 405);
      return true;
    }
    const decision = authorize(url);
    if (!decision.ok) {
      refuse(res, decision.reason, decision.sessionId, decision.streamId);
      return true;
    }
    const { sessionId, session, file, type } = decision;
    const streamDir = path.join(root, session.streamId);
    const absolute = path.join(streamDir, file);
    const found = options.cache.get(absolute, streamDir);
    const send = (data: Buffer | undefined): void => {
      if (data === undefined) {
        refuse(res, "not_found", sessionId, session.streamId);
        return;
      }
      res.writeHead(200, {
        "Content-Type": type,
        "Content-Length": data.length,
        "Cache-Control": type === CONTENT_TYPES[".m3u8"] ? "no-cache" : "private, max-age=86400, immutable",
        "X-Content-Type-Options": "nosniff",
      });
      res.end(req.method === "HEAD" ? undefined : data);
    };
    if (found instanceof Promise) {
      found.then(send, () => send(undefined));
    } else {
      send(found);
    }
    return true;
  };
}

function describe(reason: GateRefusal): [ErrorCode, string] {
  switch (reason) {
    case "bad_path":
      return ["not_found", "No such file: playback paths are /play/{session_id}/{file}.m3u8 or .ts."];
    case "not_found":
      return ["not_found", "No such file in this stream (it may have left the live window)."];
    case "unknown_session":
      return ["session_inactive", "This playback session does not exist: start a new one."];
    case "session_ended":
      return ["session_inactive", "This playback session was stopped or revoked."];
    case "session_expired":
      return ["session_inactive", "This playback session's paid time is over: renew it or start a new one."];
    case "stream_not_live":
      return ["session_inactive", "The stream of this session is not live now."];
  }
}

function sendProblem(res: ServerResponse, code: ErrorCode, detail: string, status?: number): void {
  const body = problem(code, detail);
  if (status !== undefined) body.status = status;
  const text = JSON.stringify(body);
  res.writeHead(body.status, {
    "Content-Type": PROBLEM_CONTENT_TYPE,
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
  });
  res.end(text);
}

import { isProblemError, type MpvstreamClient, ProblemError } from "@mpvstream/client";
import {
  type PlaybackRenewResponse,
  type PlaybackStartResponse,
  PlaybackStartResponseSchema,
  type Stream,
  StreamSchema,
} from "@mpvstream/core";
import type { EndInfo, ExitInfo, MpvPlayer } from "@mpvstream/mpv";
import { type Context, printJson, requireLogin } from "../internal/context.js";
import { CliError, EXIT, type ExitCode } from "../internal/exit.js";
import { explain } from "../internal/explain.js";
import type { FastOpen } from "../internal/fast-open.js";
import { duration, points } from "../internal/format.js";
import { say } from "../internal/io.js";
import { discardPlayer, type PlayerOptions } from "../internal/player.js";
import { Renewer } from "../internal/renewer.js";
import type { Signals } from "../internal/signals.js";
import { StatusDisplay, statusLine, timeLeftMs } from "../internal/status.js";
import { mark } from "../internal/trace.js";

/** Options of {@link play}: those mpv was started with. */
export type PlayOptions = PlayerOptions;

/** mpv options with which the viewer asks playback to end by itself: an `eof` then is a normal end. */
const ENDING_OPTIONS = /^--(end|length|frames)=/;

/** How a play run came to its end. */
type Outcome =
  | { readonly kind: "ended"; readonly end: EndInfo }
  | { readonly kind: "exited"; readonly exit: ExitInfo | undefined }
  | { readonly kind: "signal"; readonly signal: "SIGINT" | "SIGTERM" }
  | { readonly kind: "paid-out" }
  | { readonly kind: "renew-failed"; readonly error: unknown };

/** The low-balance warning starts when less than this many minutes of points are left. */
const LOW_BALANCE_MINUTES = 2;

/**
 * `mpvstream play <stream> [-- mpv options]`: pays for a session, plays it in the mpv that
 * `launching` starts (see `startPlayer`), renews it while mpv plays, and stops it whatever ends
 * playback. Resolves with the exit code; mpv is closed on every path.
 */
export async function play(
  context: Context,
  streamId: string,
  options: PlayOptions,
  launching: Promise<MpvPlayer>,
  signals: Signals,
  fast: FastOpen,
): Promise<number> {
  const { client, io } = context;
  const display = new StatusDisplay(io.stderr);
  const tell = (text: string) => (context.json ? say(io.stderr, text) : display.message(text));
  const cancelled = () =>
    new CliError(
      signals.received === "SIGTERM" ? EXIT.sigterm : EXIT.sigint,
      "cancelled",
      "Cancelled before playback started.",
    );

  try {
    await requireLogin(context);
    const where = { server: context.server, streamId };
    let session: PlaybackStartResponse;
    let stream: Stream;
    if (fast.session !== undefined) {
      // Started on the fast path (see openFast): checked now that the schemas are loaded.
      session = await checked(client, PlaybackStartResponseSchema, fast.session, "POST /playback/start");
      const [launched] = await Promise.allSettled([launching]);
      if (launched.status === "rejected") {
        await stopQuietly(client, session.session_id);
        throw explain(launched.reason, where);
      }
      const known = StreamSchema.safeParse(fast.stream);
      try {
        stream = known.success ? known.data : await client.getStream(streamId);
      } catch (error) {
        await stopQuietly(client, session.session_id);
        throw explain(error, where);
      }
    } else {
      // mpv is coming up idle (no window until a file is loaded) while we look the stream up. The
      // session is started as soon as mpv answers, even if the lookup is still on its way: the
      // server refuses (and does not charge) a start for a missing or not-live stream, and waiting
      // for mpv means that a missing mpv or an option it refuses costs no points either.
      mark("play: looking the stream up");
      const lookup = client.getStream(streamId).finally(() => mark("play: stream looked up"));
      lookup.catch(() => {});
      const [launched] = await Promise.allSettled([launching.finally(() => mark("play: mpv ready"))]);
      if (launched.status === "rejected") {
        // A wrong stream name says more than mpv's failure: report it first, as the lookup would.
        const [looked] = await Promise.allSettled([lookup]);
        if (looked.status === "rejected") throw explain(looked.reason, where);
        throw explain(launched.reason, where);
      }
      if (signals.received) throw cancelled();
      const starting = client.startPlayback({ stream_id: streamId }, { idempotencyKey: fast.idempotencyKey });
      const [looked, started] = await Promise.allSettled([lookup, starting]);
      if (started.status === "rejected") {
        if (looked.status === "rejected") throw explain(looked.reason, where);
        if (looked.value.state !== "live") throw notLive(looked.value);
        throw explain(started.reason, where);
      }
      session = started.value;
      mark("play: session started");
      try {
        stream = looked.status === "fulfilled" ? looked.value : await client.getStream(streamId);
      } catch (error) {
        await stopQuietly(client, session.session_id);
        throw explain(error, where);
      }
    }
    const mpv = await launching;
    return await new Run(context, display, tell, mpv, stream, session, options, fast).play((handler) =>
      signals.listen(handler),
    );
  } catch (error) {
    await discardPlayer(launching);
    throw error;
  } finally {
    display.clear();
  }
}

/** Validates an answer read on the fast path, as the client validates its own answers. */
async function checked<T>(
  client: MpvstreamClient,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
  value: unknown,
  label: string,
): Promise<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const id = (value as { session_id?: unknown } | undefined)?.session_id;
  if (typeof id === "string") await stopQuietly(client, id);
  throw new ProblemError("invalid_response", `${label}: the answer does not match the API`);
}

/**
 * Stops a session, briefly (1.5 s, one retry): resolves whether the server confirmed it. A failure
 * is left to the session's own expiry.
 */
function stopQuietly(client: MpvstreamClient, sessionId: string): Promise<boolean> {
  return client.stopPlayback({ session_id: sessionId }, { timeoutMs: 1500, retries: 1 }).then(
    () => true,
    () => false,
  );
}

function notLive(stream: Stream): CliError {
  return new CliError(
    EXIT.stream,
    "stream_not_live",
    `"${stream.title}" is not live right now (it is ${stream.state}). See: mpvstream streams`,
  );
}

/** One paid playback, from the started session to the summary. */
class Run {
  readonly #context: Context;
  readonly #display: StatusDisplay;
  readonly #tell: (text: string) => void;
  readonly #player: MpvPlayer;
  readonly #stream: Stream;
  readonly #session: PlaybackStartResponse;
  readonly #options: PlayOptions;
  readonly #fast: FastOpen;
  readonly #charges: { readonly at: string; readonly points: number }[] = [];
  #balance: number;
  #firstFrameAt: number | undefined;
  #outOfPoints = false;
  #note: string | undefined;
  #resolve: (outcome: Outcome) => void = () => {};

  constructor(
    context: Context,
    display: StatusDisplay,
    tell: (text: string) => void,
    player: MpvPlayer,
    stream: Stream,
    session: PlaybackStartResponse,
    options: PlayOptions,
    fast: FastOpen,
  ) {
    this.#context = context;
    this.#display = display;
    this.#tell = tell;
    this.#player = player;
    this.#stream = stream;
    this.#session = session;
    this.#options = options;
    this.#fast = fast;
    this.#balance = session.points_balance;
    this.#charges.push({ at: new Date().toISOString(), points: session.points_charged });
  }

  get #spent(): number {
    return this.#charges.reduce((sum, charge) => sum + charge.points, 0);
  }

  async play(listenSignals: (handler: (signal: "SIGINT" | "SIGTERM") => void) => void): Promise<number> {
    const player = this.#player;
    const session = this.#session;
    const outcome = new Promise<Outcome>((resolve) => {
      let done = false;
      this.#resolve = (value) => {
        if (done) return;
        done = true;
        resolve(value);
      };
    });
    listenSignals((signal) => this.#resolve({ kind: "signal", signal }));
    player.exited().then((exit) => this.#resolve({ kind: "exited", exit }));

    const renewer = new Renewer({
      client: this.#context.client,
      sessionId: session.session_id,
      expiresAt: Date.parse(session.expires_at),
      renewAfterS: session.renew_after_s,
      renewed: (answer) => this.#renewed(answer),
      retrying: () => {
        this.#note = "reconnecting to the server…";
        if (!this.#display.live)
          this.#tell("Lost contact with the server; retrying (you are not charged twice).");
      },
      outOfPoints: (expiresAt) => this.#paidOut(expiresAt),
      failed: (error) => this.#resolve({ kind: "renew-failed", error }),
    });
    this.#renewer = renewer;

    const title = this.#stream.title;
    this.#tell(
      `Playing "${title}" (${points(this.#stream.points_per_minute)} per minute; ${points(this.#balance)} left). Quit mpv or press Ctrl-C to stop.`,
    );
    let ticker: NodeJS.Timeout | undefined;
    try {
      if (this.#fast.loaded) {
        // The fast path loaded it before the stream was known for sure: name it now.
        if (this.#fast.stream === undefined) await player.set("force-media-title", title);
      } else {
        await player.loadfile(session.playback_url, { options: { "force-media-title": title } });
        mark("play: loadfile accepted");
      }
      renewer.start();
      player.ended().then((end) => this.#resolve({ kind: "ended", end }));
      player.firstFrame().then(
        () => {
          this.#firstFrameAt = this.#fast.firstFrameAt ?? Date.now();
          if (this.#fast.firstFrameAt === undefined) mark("play: first frame");
          this.#osd(
            `${title} · ${points(this.#stream.points_per_minute)}/min · balance ${this.#balance}`,
            4000,
          );
        },
        () => {},
      );
      ticker = setInterval(() => this.#drawStatus(), 1000);
      this.#drawStatus();
    } catch (error) {
      this.#resolve({ kind: "renew-failed", error });
    }

    const result = await outcome;
    clearInterval(ticker);
    renewer.stop();
    return this.#finish(result);
  }

  #renewer: Renewer | undefined;
  #paidOutTimer: NodeJS.Timeout | undefined;

  #renewed(answer: PlaybackRenewResponse): void {
    this.#note = undefined;
    this.#balance = answer.points_balance;
    if (answer.points_charged > 0) {
      this.#charges.push({ at: new Date().toISOString(), points: answer.points_charged });
      const ppm = this.#stream.points_per_minute;
      if (ppm > 0 && this.#balance < ppm * LOW_BALANCE_MINUTES) {
        const left = timeLeftMs({
          balance: this.#balance,
          paidLeftMs: Date.parse(answer.expires_at) - Date.now(),
          pointsPerMinute: ppm,
        });
        const text = `Low balance: ${points(this.#balance)} left (about ${duration(left ?? 0)} of watching).`;
        this.#osd(text, 5000);
        if (!this.#display.live) this.#tell(text);
      }
    }
  }

  #paidOut(expiresAt: number): void {
    this.#outOfPoints = true;
    const leftMs = Math.max(0, expiresAt - Date.now());
    const until = new Date(expiresAt).toLocaleTimeString();
    const text = `Out of points: the paid time ends in ${duration(leftMs)} (at ${until}); playback stops then.`;
    this.#note = "out of points";
    this.#tell(text);
    this.#osd(text, Math.min(leftMs, 8000) || 3000);
    this.#paidOutTimer = setTimeout(() => this.#resolve({ kind: "paid-out" }), leftMs);
  }

  #drawStatus(): void {
    if (!this.#display.live) return;
    this.#display.draw(
      statusLine(
        {
          title: this.#stream.title,
          watchedMs: this.#watchedMs(),
          spent: this.#spent,
          balance: this.#balance,
          paidLeftMs: (this.#renewer?.expiresAt ?? Date.now()) - Date.now(),
          pointsPerMinute: this.#stream.points_per_minute,
          note: this.#note ?? (this.#firstFrameAt === undefined ? "connecting…" : undefined),
        },
        this.#outOfPoints,
      ),
    );
  }

  #watchedMs(): number {
    return this.#firstFrameAt === undefined ? 0 : Date.now() - this.#firstFrameAt;
  }

  #osd(text: string, ms: number): void {
    if (!this.#player.closed) this.#player.showText(text, ms).catch(() => {});
  }

  async #finish(outcome: Outcome): Promise<number> {
    clearTimeout(this.#paidOutTimer);
    const watchedMs = this.#watchedMs();
    this.#display.clear();
    // Explaining an unexpected end needs the gate's answer while the session still exists.
    const failure = await this.#judge(outcome);
    if (outcome.kind === "paid-out" && !this.#player.closed) {
      await this.#player.showText("Out of points: playback stopped.", 3000).catch(() => {});
    }
    const stopping = stopQuietly(this.#context.client, this.#session.session_id);
    const [stopped] = await Promise.all([stopping, this.#player.close({ timeoutMs: 1000 })]);
    await this.#renewer?.settled();

    const exitCode: ExitCode = failure?.exitCode ?? EXIT.ok;
    const end = describeEnd(outcome);
    if (this.#context.json) {
      printJson(this.#context, {
        stream_id: this.#stream.id,
        session_id: this.#session.session_id,
        title: this.#stream.title,
        first_frame_at: this.#firstFrameAt === undefined ? null : new Date(this.#firstFrameAt).toISOString(),
        watched_s: Math.round(watchedMs / 1000),
        points_spent: this.#spent,
        points_balance: this.#balance,
        charges: this.#charges,
        end,
        session_stopped: stopped,
        exit_code: exitCode,
        ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
      });
    } else {
      say(
        this.#context.io.stdout,
        `Watched ${duration(watchedMs)} of "${this.#stream.title}" · spent ${points(this.#spent)} · balance ${points(this.#balance)}.`,
      );
    }
    if (!stopped)
      say(
        this.#context.io.stderr,
        "The server could not be told to stop the session; it ends by itself when its paid time runs out.",
      );
    if (failure) say(this.#context.io.stderr, `mpvstream: ${failure.message}`);
    return exitCode;
  }

  /** Decides whether the outcome is a failure and explains it. */
  async #judge(outcome: Outcome): Promise<CliError | undefined> {
    const server = this.#context.server;
    switch (outcome.kind) {
      case "signal":
        return new CliError(
          outcome.signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm,
          "interrupted",
          `Stopped by ${outcome.signal}.`,
        );
      case "paid-out":
        return new CliError(
          EXIT.outOfPoints,
          "insufficient_points",
          "Out of points: the paid time is over. Ask the operator to top up your account.",
        );
      case "renew-failed": {
        const error = outcome.error;
        if (isProblemError(error) && error.code === "session_ended" && !(await this.#streamLive())) {
          return new CliError(EXIT.stream, "stream_offline", `"${this.#stream.title}" has gone offline.`);
        }
        const explained = explain(error, { server, streamId: this.#stream.id });
        if (explained.exitCode === EXIT.unreachable) {
          return new CliError(
            EXIT.unreachable,
            explained.code,
            `Lost contact with the server at ${server}, so playback was stopped. ${explained.message}`,
          );
        }
        return explained;
      }
      case "exited": {
        const exit = outcome.exit;
        if (exit?.code === 0) return undefined;
        const how = exit?.signal ? `was killed (${exit.signal})` : `exited with code ${exit?.code ?? "?"}`;
        return new CliError(EXIT.playback, "mpv_died", `mpv ${how}; the session was stopped.`);
      }
      case "ended": {
        const end = outcome.end;
        if (end.reason === "quit" || end.reason === "stop") return undefined;
        if (end.reason === "exit") return this.#judge({ kind: "exited", exit: end.exit });
        if (end.reason === "eof" && this.#options.mpvArgs.some((arg) => ENDING_OPTIONS.test(arg)))
          return undefined;
        if (this.#outOfPoints) {
          return new CliError(
            EXIT.outOfPoints,
            "insufficient_points",
            "Out of points: the paid time is over. Ask the operator to top up your account.",
          );
        }
        if (!(await this.#streamLive())) {
          return new CliError(EXIT.stream, "stream_offline", `"${this.#stream.title}" has gone offline.`);
        }
        const why = await this.#whyNoVideo(end.httpStatus);
        if (end.reason === "error") {
          return new CliError(
            EXIT.playback,
            "load_failed",
            `mpv could not play the stream${end.error ? ` (${end.error})` : ""}: ${why}`,
          );
        }
        if (end.reason === "stalled") {
          return new CliError(
            EXIT.playback,
            "stalled",
            `The stream stalled: no video for ${this.#options.stallTimeoutS ?? 10} s. ${why}`,
          );
        }
        return new CliError(EXIT.playback, "unexpected_end", `The live stream stopped unexpectedly. ${why}`);
      }
    }
  }

  async #streamLive(): Promise<boolean> {
    try {
      return (
        (await this.#context.client.getStream(this.#stream.id, { timeoutMs: 1500, retries: 0 })).state ===
        "live"
      );
    } catch {
      return true;
    }
  }

  /** Asks the stream's server what it says now, to tell the viewer why video stopped. */
  async #whyNoVideo(httpStatus: number | undefined): Promise<string> {
    try {
      const answer = await fetch(this.#session.playback_url, { signal: AbortSignal.timeout(1500) });
      const text = await answer.text();
      if (answer.ok)
        return "The server is still sending it: your network or mpv may have dropped it. Try again.";
      let detail = "";
      try {
        detail = (JSON.parse(text) as { detail?: string }).detail ?? "";
      } catch {}
      return `The server refused the video (HTTP ${answer.status}${detail ? `: ${detail}` : ""}).`;
    } catch {
      return httpStatus === undefined
        ? "The server could not be reached for the video."
        : `The server answered HTTP ${httpStatus} for the video.`;
    }
  }
}

function describeEnd(outcome: Outcome): string {
  switch (outcome.kind) {
    case "ended":
      return outcome.end.reason;
    case "exited":
      return "exit";
    case "signal":
      return outcome.signal;
    case "paid-out":
      return "out_of_points";
    case "renew-failed":
      return "renew_failed";
  }
}

import { parseArgs } from "node:util";
import type { Context } from "./internal/context.js";
import { CliError, EXIT, usage } from "./internal/exit.js";
import { openFast } from "./internal/fast-open.js";
import { type Io, say } from "./internal/io.js";
import { discardPlayer, type PlayerOptions, startPlayer } from "./internal/player.js";
import { type PrestartedMpv, takePrestartedMpv } from "./internal/prestarted.js";
import { Signals } from "./internal/signals.js";
import { mark } from "./internal/trace.js";

const GLOBAL_HELP = `mpvstream: watch mpvstream live streams in mpv, paying per minute.

Usage:
  mpvstream login [--email EMAIL] [--password-stdin]
  mpvstream logout
  mpvstream whoami
  mpvstream streams
  mpvstream play STREAM [-- MPV OPTIONS...]

Options for every command:
  --server URL   the mpvstream server (default: $MPVSTREAM_SERVER, else the one you logged in to,
                 else http://127.0.0.1:8080)
  --json         print one JSON document on stdout, for scripts
  -h, --help     help for the command

Exit codes: 0 ok, 2 usage, 3 not logged in or credentials refused, 4 out of points,
5 stream not found or not live, 6 mpv missing or playback failed, 7 server unreachable,
8 refused for now (too many sessions, rate limited, session revoked), 130/143 stopped by
SIGINT/SIGTERM, 1 unexpected error.`;

const HELP: Record<string, string> = {
  login: `Usage: mpvstream login [--email EMAIL] [--password-stdin] [--server URL] [--json]

Logs in and saves the login (tokens, never the password) in
$XDG_CONFIG_HOME/mpvstream/credentials.json (~/.config/mpvstream/ by default; file 0600,
directory 0700). On a terminal it asks for the email and the password (not shown).

  --email EMAIL       the account's email
  --password-stdin    read the password from stdin (for scripts), e.g.
                      printf %s "$PASSWORD" | mpvstream login --email me@example.com --password-stdin`,
  logout: `Usage: mpvstream logout [--server URL] [--json]

Revokes the login on the server and deletes the saved credentials.`,
  whoami: `Usage: mpvstream whoami [--server URL] [--json]

Shows who you are logged in as: email, role and points balance.`,
  streams: `Usage: mpvstream streams [--server URL] [--json]

Lists the streams: id, title, state, viewers and price in points per minute.`,
  play: `Usage: mpvstream play STREAM [--stall-timeout SECONDS] [--verbose] [--server URL] [--json] [-- MPV OPTIONS...]

Starts a paid session for STREAM and plays it in mpv. The session is renewed while mpv plays
(one period ahead, as the server asks); a status line shows the time watched, points spent,
balance and time left. Quit mpv (q) or press Ctrl-C to stop; the session is stopped and a
summary printed. When the points run out, the paid time plays out, then playback stops (exit 4).

  --stall-timeout S   seconds without video before the stream counts as stalled (default 10)
  --verbose           print mpv's warnings
  -- MPV OPTIONS      passed to mpv as they are, e.g. -- --volume=50 --fs`,
};

const GLOBAL_OPTIONS = {
  server: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const COMMAND_OPTIONS = {
  login: { email: { type: "string" }, "password-stdin": { type: "boolean" } },
  logout: {},
  whoami: {},
  streams: {},
  play: { "stall-timeout": { type: "string" }, verbose: { type: "boolean" } },
} as const;

type Command = keyof typeof COMMAND_OPTIONS;

const isCommand = (name: string | undefined): name is Command =>
  name !== undefined && Object.hasOwn(COMMAND_OPTIONS, name);

/**
 * Runs one `mpvstream` command line and resolves with its exit code; errors are printed as
 * sentences on stderr (or as JSON with `--json`), never as stack traces.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  // The mpv that bin/mpvstream may have started ahead for `play`: play takes it, else it is stopped.
  const ahead = { mpv: takePrestartedMpv(io.env) };
  try {
    return await run(argv, io, ahead);
  } finally {
    ahead.mpv?.discard();
  }
}

async function run(
  argv: readonly string[],
  io: Io,
  ahead: { mpv: PrestartedMpv | undefined },
): Promise<number> {
  const dash = argv.indexOf("--");
  const own = dash === -1 ? [...argv] : argv.slice(0, dash);
  const passthrough = dash === -1 ? [] : argv.slice(dash + 1);
  const name = own.find((arg) => !arg.startsWith("-"));
  const json = own.includes("--json");
  let server: string | undefined;
  try {
    if (name === undefined) {
      if (own.includes("--help") || own.includes("-h")) {
        say(io.stdout, GLOBAL_HELP);
        return EXIT.ok;
      }
      if (own.includes("--version")) {
        say(io.stdout, "mpvstream 0.1.0");
        return EXIT.ok;
      }
      throw usage(`a command is needed.\n\n${GLOBAL_HELP}`);
    }
    if (!isCommand(name))
      throw usage(
        `unknown command "${name}". Commands: login, logout, whoami, streams, play (see mpvstream --help).`,
      );
    let parsed: { values: Record<string, unknown>; positionals: string[] };
    try {
      parsed = parseArgs({
        args: own.filter((arg, i) => !(arg === name && i === own.indexOf(name))),
        options: { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS[name] },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw usage(
        `${(error as Error).message.replace(/\. To specify a positional argument.*$/s, "")}\n\n${HELP[name]}`,
      );
    }
    const values = parsed.values;
    if (values.help === true) {
      say(io.stdout, HELP[name] ?? GLOBAL_HELP);
      return EXIT.ok;
    }
    server = typeof values.server === "string" ? values.server : undefined;
    const positionals = parsed.positionals;
    if (name !== "play" && positionals.length > 0)
      throw usage(`${name} takes no argument ("${positionals[0]}").\n\n${HELP[name]}`);
    if (name !== "play" && passthrough.length > 0) throw usage(`only play passes options to mpv (after --).`);
    // The HTTP client (and its schemas) is the heaviest part to load: it is imported only now, and
    // for play only once mpv shows the first frame (see openFast). What play needs before that is
    // in this module's own chunk.
    if (name === "play") {
      const playing = playArguments(positionals, values, passthrough);
      const socketPath = ahead.mpv?.socketPath;
      const launching = startPlayer(io, playing.options, ahead.mpv);
      ahead.mpv = undefined;
      mark("play: mpv spawned");
      const signals = new Signals(io);
      try {
        const fast = await openFast(io, {
          server,
          streamId: playing.stream,
          launching,
          socketPath,
          signals,
        });
        let context: Context;
        try {
          const { createContext } = await import("./internal/context.js");
          context = await createContext(io, { server, json });
          mark("client loaded");
        } catch (error) {
          await discardPlayer(launching);
          throw error;
        }
        server = context.server;
        const { play } = await import("./commands/play.js");
        return await play(context, playing.stream, playing.options, launching, signals, fast);
      } finally {
        signals.close();
      }
    }
    const { createContext } = await import("./internal/context.js");
    const context = await createContext(io, { server, json });
    server = context.server;
    const account = await import("./commands/account.js");
    switch (name) {
      case "login":
        return await account.login(context, {
          email: typeof values.email === "string" ? values.email : undefined,
          passwordStdin: values["password-stdin"] === true,
        });
      case "logout":
        return await account.logout(context);
      case "whoami":
        return await account.whoami(context);
      default:
        return await account.streams(context);
    }
  } catch (error) {
    const { explain } = await import("./internal/explain.js");
    const failure = explain(error, { server: server ?? "the server" });
    if (json)
      io.stdout.write(
        `${JSON.stringify({ error: { code: failure.code, message: failure.message }, exit_code: failure.exitCode }, null, 2)}\n`,
      );
    say(io.stderr, `mpvstream: ${failure.message}`);
    if (failure.exitCode === EXIT.unexpected && io.env.MPVSTREAM_DEBUG)
      say(io.stderr, String((failure.cause as Error)?.stack ?? failure.cause));
    return failure.exitCode;
  }
}

/** Checks `play`'s stream and options (usage errors) before anything starts. */
function playArguments(
  positionals: readonly string[],
  values: Record<string, unknown>,
  passthrough: readonly string[],
): { stream: string; options: PlayerOptions } {
  const stream = positionals[0];
  if (stream === undefined) throw usage(`which stream? See: mpvstream streams\n\n${HELP.play}`);
  if (positionals.length > 1)
    throw usage(
      `play takes one stream; put mpv options after --, e.g. mpvstream play ${stream} -- --volume=50`,
    );
  const stall = values["stall-timeout"];
  const stallTimeoutS = stall === undefined ? undefined : Number(stall);
  if (
    stallTimeoutS !== undefined &&
    !(Number.isFinite(stallTimeoutS) && stallTimeoutS >= 1 && stallTimeoutS <= 600)
  ) {
    throw usage(`--stall-timeout takes seconds from 1 to 600 (got "${String(stall)}").`);
  }
  return { stream, options: { mpvArgs: passthrough, stallTimeoutS, verbose: values.verbose === true } };
}

export { CliError, EXIT };

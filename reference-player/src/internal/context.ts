import { createClient, type MpvstreamClient } from "@mpvstream/client";
import { type Credentials, CredentialsFile, configDir, FileTokenStore } from "./credentials.js";
import { CliError, EXIT } from "./exit.js";
import { type Io, say } from "./io.js";
import { resolveServer } from "./server.js";

/** What every command gets: where it writes, which server, the credentials and a client. */
export interface Context {
  readonly io: Io;
  readonly server: string;
  readonly json: boolean;
  readonly credentials: CredentialsFile;
  /** What the file held at start, if it is for this server. */
  readonly saved: Credentials | undefined;
  readonly tokens: FileTokenStore;
  readonly client: MpvstreamClient;
}

/** Options every command accepts. */
export interface GlobalOptions {
  readonly server?: string | undefined;
  readonly json?: boolean | undefined;
}

/** Builds the {@link Context} of one command run. */
export async function createContext(io: Io, options: GlobalOptions): Promise<Context> {
  const credentials = new CredentialsFile(configDir(io.env), (message) =>
    say(io.stderr, `warning: ${message}`),
  );
  const file = await credentials.read();
  const server = resolveServer(options.server, io.env, file?.server);
  const tokens = new FileTokenStore(credentials, server, file?.email);
  const client = createClient({
    baseUrl: server,
    tokenStore: tokens,
    timeoutMs: 10_000,
    retries: { limit: 2, delayMs: (attempt) => 250 * 2 ** (attempt - 1) },
  });
  return {
    io,
    server,
    json: options.json === true,
    credentials,
    saved: file?.server === server ? file : undefined,
    tokens,
    client,
  };
}

/** The saved login for this server, or a `not_logged_in` error that says where one exists. */
export async function requireLogin(context: Context): Promise<Credentials> {
  if (context.saved) return context.saved;
  const other = await context.credentials.read();
  const hint =
    other === undefined
      ? "Run: mpvstream login"
      : `You are logged in to ${other.server}, not ${context.server}. Run: mpvstream login --server ${context.server}`;
  throw new CliError(EXIT.auth, "not_logged_in", `You are not logged in. ${hint}`);
}

/** Prints a value as one JSON document on stdout (for `--json`). */
export function printJson(context: Context, value: unknown): void {
  context.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

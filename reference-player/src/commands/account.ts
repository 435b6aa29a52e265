import { isProblemError } from "@mpvstream/client";
import { type Context, printJson, requireLogin } from "../internal/context.js";
import { EXIT, usage } from "../internal/exit.js";
import { table } from "../internal/format.js";
import { say } from "../internal/io.js";
import { ask, readAll } from "../internal/prompt.js";

/** Options of {@link login}. */
export interface LoginOptions {
  readonly email?: string | undefined;
  readonly passwordStdin?: boolean | undefined;
}

/**
 * `mpvstream login`: asks for the email and the hidden password on a terminal, or takes
 * `--email` and `--password-stdin`; saves the tokens (never the password).
 */
export async function login(context: Context, options: LoginOptions): Promise<number> {
  const { io } = context;
  const terminal = io.stdin.isTTY === true;
  if (options.passwordStdin && options.email === undefined) {
    throw usage("--password-stdin needs --email: stdin holds the password only.");
  }
  if (!options.passwordStdin && !terminal) {
    throw usage(
      "No terminal to ask for the password: use --email EMAIL --password-stdin (the password on stdin).",
    );
  }
  let email = options.email;
  if (email === undefined) email = (await ask(io.stdin, io.stderr, "Email: ")).trim();
  if (email === "") throw usage("An email is needed to log in.");
  const password = options.passwordStdin
    ? await readAll(io.stdin)
    : await ask(io.stdin, io.stderr, "Password (not shown): ", true);
  if (password === "") throw usage("An empty password cannot be right.");
  context.tokens.email = email;
  const answer = await context.client.login({ email, password });
  const user = answer.user;
  if (context.json) {
    printJson(context, {
      server: context.server,
      email: user.email,
      role: user.role,
      points_balance: user.points_balance,
    });
  } else {
    say(io.stdout, `Logged in to ${context.server} as ${user.email} (${user.points_balance} points).`);
  }
  return EXIT.ok;
}

/** `mpvstream logout`: revokes the refresh token on the server and deletes the credentials file. */
export async function logout(context: Context): Promise<number> {
  const saved = await requireLogin(context);
  let revoked = true;
  try {
    await context.client.logout({ timeoutMs: 5000 });
  } catch (error) {
    // Logged out locally whatever happens; say when the server could not be told.
    revoked = false;
    if (
      !isProblemError(error) ||
      !["network_error", "timeout", "invalid_token", "unauthorized"].includes(error.code)
    )
      throw error;
  } finally {
    await context.credentials.remove();
  }
  if (context.json) printJson(context, { server: context.server, email: saved.email, revoked });
  else if (revoked) say(context.io.stdout, `Logged out ${saved.email} from ${context.server}.`);
  else
    say(
      context.io.stdout,
      `Logged out ${saved.email} here; the server could not be told (it was unreachable or had already revoked the login).`,
    );
  return EXIT.ok;
}

/** `mpvstream whoami`: email, role and balance. */
export async function whoami(context: Context): Promise<number> {
  await requireLogin(context);
  const user = await context.client.me();
  if (context.json) {
    printJson(context, { server: context.server, ...user });
  } else {
    say(context.io.stdout, `${user.email} (${user.role}) on ${context.server}`);
    say(context.io.stdout, `Balance: ${user.points_balance} points`);
  }
  return EXIT.ok;
}

/** `mpvstream streams`: a table of the streams. */
export async function streams(context: Context): Promise<number> {
  await requireLogin(context);
  const { streams: list } = await context.client.listStreams();
  if (context.json) {
    printJson(context, { streams: list });
    return EXIT.ok;
  }
  if (list.length === 0) {
    say(context.io.stdout, "No streams yet.");
    return EXIT.ok;
  }
  const sorted = [...list].sort(
    (a, b) => Number(b.state === "live") - Number(a.state === "live") || a.id.localeCompare(b.id),
  );
  say(
    context.io.stdout,
    table(
      ["ID", "TITLE", "STATE", "VIEWERS", "POINTS/MIN"],
      sorted.map((s) => [s.id, s.title, s.state, s.viewers, s.points_per_minute]),
    ),
  );
  return EXIT.ok;
}

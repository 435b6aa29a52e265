// login, logout, whoami, streams and the exit codes that need no video, against the real reference
// server, through the real `mpvstream` process.
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { createClient, isProblemError } from "@mpvstream/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginAs, type Platform, runCli, startPlatform } from "./harness.js";

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform();
  await platform.user("ann@example.test", 100);
  await platform.user("poor@example.test", 1);
  await platform.admin.createStream({
    id: "news",
    title: "World news",
    points_per_minute: 5,
    source: { kind: "test" },
  });
  await platform.admin.setStreamState("news", { state: "live" });
  await platform.admin.createStream({
    id: "later",
    title: "Later show",
    points_per_minute: 2,
    source: { kind: "test" },
  });
}, 120_000);

afterAll(async () => {
  await platform?.close();
});

describe("login", () => {
  it("logs in from stdin and keeps only tokens in a 0600 file inside a 0700 directory", async () => {
    const home = await platform.home();
    const result = await runCli(["login", "--email", "ann@example.test", "--password-stdin"], {
      home,
      server: platform.url,
      stdin: "viewer-password\n",
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Logged in");
    expect(result.stdout).toContain("ann@example.test");
    const dir = path.join(home, "mpvstream");
    const file = path.join(dir, "credentials.json");
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, "utf8");
    expect(text).not.toContain("viewer-password");
    const saved = JSON.parse(text) as Record<string, unknown>;
    expect(saved).toMatchObject({ server: platform.url, email: "ann@example.test" });
    expect(typeof saved.access_token).toBe("string");
    expect(typeof saved.refresh_token).toBe("string");
  });

  it("refuses a wrong password with exit 3 and a sentence, and saves nothing", async () => {
    const home = await platform.home();
    const result = await runCli(["login", "--email", "ann@example.test", "--password-stdin"], {
      home,
      server: platform.url,
      stdin: "wrong-password\n",
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toBe("mpvstream: Wrong email or password.\n");
    await expect(stat(path.join(home, "mpvstream", "credentials.json"))).rejects.toThrow();
  });

  it("needs --email with --password-stdin, and a terminal without them (exit 2)", async () => {
    const home = await platform.home();
    const a = await runCli(["login", "--password-stdin"], { home, server: platform.url, stdin: "x" });
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("--password-stdin needs --email");
    const b = await runCli(["login"], { home, server: platform.url });
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("No terminal");
  });

  it("tightens a credentials file that others can read", async () => {
    const home = await platform.home();
    await loginAs(home, platform.url, "ann@example.test");
    const file = path.join(home, "mpvstream", "credentials.json");
    await chmod(file, 0o644);
    const result = await runCli(["whoami"], { home, server: platform.url });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("now private (0600)");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

describe("whoami and streams", () => {
  let home: string;
  beforeAll(async () => {
    home = await platform.home();
    await loginAs(home, platform.url, "ann@example.test");
  });

  it("whoami prints email, role and balance, and --json parses", async () => {
    const human = await runCli(["whoami"], { home, server: platform.url });
    expect(human.code).toBe(0);
    expect(human.stdout).toBe(`ann@example.test (user) on ${platform.url}\nBalance: 100 points\n`);
    const json = await runCli(["whoami", "--json"], { home, server: platform.url });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      email: "ann@example.test",
      role: "user",
      points_balance: 100,
    });
  });

  it("uses the saved server when neither --server nor MPVSTREAM_SERVER is given", async () => {
    const result = await runCli(["whoami", "--json"], { home });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).server).toBe(platform.url);
  });

  it("streams prints a table, live first, and --json parses", async () => {
    const human = await runCli(["streams"], { home, server: platform.url });
    expect(human.code).toBe(0);
    const lines = human.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+TITLE\s+STATE\s+VIEWERS\s+POINTS\/MIN$/);
    expect(lines[1]).toMatch(/^news\s+World news\s+live\s+0\s+5$/);
    expect(lines[2]).toMatch(/^later\s+Later show\s+offline\s+0\s+2$/);
    const json = await runCli(["streams", "--json"], { home, server: platform.url });
    const parsed = JSON.parse(json.stdout) as { streams: { id: string; state: string }[] };
    expect(parsed.streams.map((s) => [s.id, s.state]).sort()).toEqual([
      ["later", "offline"],
      ["news", "live"],
    ]);
  });
});

describe("exit codes", () => {
  it("3 when not logged in (whoami, streams, play, logout)", async () => {
    const home = await platform.home();
    for (const args of [["whoami"], ["streams"], ["play", "news"], ["logout"]]) {
      const result = await runCli(args, { home, server: platform.url });
      expect(result.code, args.join(" ")).toBe(3);
      expect(result.stderr).toBe("mpvstream: You are not logged in. Run: mpvstream login\n");
    }
  });

  it("3 with a hint when logged in to another server", async () => {
    const home = await platform.home();
    await loginAs(home, platform.url, "ann@example.test");
    const result = await runCli(["whoami", "--server", "http://127.0.0.1:9"], { home });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`logged in to ${platform.url}, not http://127.0.0.1:9`);
  });

  it("7 when the server is unreachable, with the address in the sentence", async () => {
    const home = await platform.home();
    const result = await runCli(["login", "--email", "a@b.c", "--password-stdin"], {
      home,
      server: "http://127.0.0.1:9",
      stdin: "x",
    });
    expect(result.code).toBe(7);
    expect(result.stderr).toContain("Cannot reach the mpvstream server at http://127.0.0.1:9");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("5 for an unknown stream and for a stream that is not live; no points are taken", async () => {
    const home = await platform.home();
    await loginAs(home, platform.url, "ann@example.test");
    const unknown = await runCli(["play", "nope", "--", "--vo=null", "--ao=null"], {
      home,
      server: platform.url,
    });
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toBe('mpvstream: There is no stream "nope". See: mpvstream streams\n');
    const offline = await runCli(["play", "later", "--json", "--", "--vo=null", "--ao=null"], {
      home,
      server: platform.url,
    });
    expect(offline.code).toBe(5);
    expect(offline.stderr).toContain('"Later show" is not live right now (it is offline)');
    expect(JSON.parse(offline.stdout)).toMatchObject({ error: { code: "stream_not_live" }, exit_code: 5 });
    const me = await runCli(["whoami", "--json"], { home, server: platform.url });
    expect(JSON.parse(me.stdout).points_balance).toBe(100);
  });

  it("6 when mpv is missing or refuses an option; no points are taken (mpv starts before paying)", async () => {
    const home = await platform.home();
    await loginAs(home, platform.url, "ann@example.test");
    const noMpv = path.join(home, "empty-bin");
    await mkdir(noMpv);
    const missing = await runCli(["play", "news", "--json", "--", "--vo=null", "--ao=null"], {
      home,
      server: platform.url,
      env: { PATH: noMpv },
    });
    expect(missing.code).toBe(6);
    expect(missing.stderr).toContain("mpv is not installed");
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: "mpv_not_found" }, exit_code: 6 });
    const refused = await runCli(["play", "news", "--", "--vo=null", "--ao=null", "--no-such-option=1"], {
      home,
      server: platform.url,
    });
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain("no-such-option");
    const me = await runCli(["whoami", "--json"], { home, server: platform.url });
    expect(JSON.parse(me.stdout).points_balance).toBe(100);
  });

  it("4 when the balance cannot pay the first period, with a clear message", async () => {
    const home = await platform.home();
    await loginAs(home, platform.url, "poor@example.test");
    const result = await runCli(["play", "news", "--", "--vo=null", "--ao=null"], {
      home,
      server: platform.url,
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('You do not have enough points to watch the stream "news"');
    expect(result.stderr).toContain("top up");
  });

  it("2 for usage errors, with the command's help", async () => {
    const home = await platform.home();
    const cases: [string[], string][] = [
      [[], "a command is needed"],
      [["dance"], 'unknown command "dance"'],
      [["whoami", "--bogus"], "Unknown option '--bogus'"],
      [["play"], "which stream?"],
      [["play", "a", "b"], "play takes one stream"],
      [["play", "a", "--stall-timeout", "0"], "--stall-timeout takes seconds"],
      [["streams", "extra"], "streams takes no argument"],
      [["whoami", "--", "--fs"], "only play passes options to mpv"],
      [["whoami", "--server", "ftp://x"], "not an http:// or https:// address"],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, { home, server: platform.url });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toContain(message);
    }
  });

  it("--help works on every command and exits 0", async () => {
    const home = await platform.home();
    for (const command of ["login", "logout", "whoami", "streams", "play"]) {
      const result = await runCli([command, "--help"], { home });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: mpvstream ${command}`);
    }
    const top = await runCli(["--help"], { home });
    expect(top.code).toBe(0);
    expect(top.stdout).toContain("Exit codes:");
  });
});

describe("logout", () => {
  it("revokes the refresh token on the server and deletes the file", async () => {
    const home = await platform.home();
    await loginAs(home, platform.url, "ann@example.test");
    const file = path.join(home, "mpvstream", "credentials.json");
    const saved = JSON.parse(await readFile(file, "utf8")) as { refresh_token: string; access_token: string };
    const result = await runCli(["logout"], { home, server: platform.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Logged out ann@example.test from ${platform.url}.\n`);
    await expect(stat(file)).rejects.toThrow();
    const stale = createClient({ baseUrl: platform.url, retries: 0 });
    stale.tokenStore.set({ accessToken: "not-a-token", refreshToken: saved.refresh_token });
    const refused = await stale.refresh().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isProblemError(refused) && refused.code).toBe("invalid_token");
  });

  it("still forgets the login locally when the server is unreachable, and says so", async () => {
    const home = await platform.home();
    await mkdir(path.join(home, "mpvstream"), { recursive: true, mode: 0o700 });
    const file = path.join(home, "mpvstream", "credentials.json");
    await writeFile(
      file,
      JSON.stringify({ server: "http://127.0.0.1:9", email: "x@y.z", access_token: "a", refresh_token: "r" }),
      { mode: 0o600 },
    );
    const result = await runCli(["logout", "--json"], { home });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ email: "x@y.z", revoked: false });
    await expect(stat(file)).rejects.toThrow();
  });
});

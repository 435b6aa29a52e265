// The terminal paths, under a real pseudo-terminal (util-linux `script`): the hidden password
// prompt and the live status line of `play`.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, loginAs, type Platform, startPlatform } from "./harness.js";

const TSCONFIG = path.join(import.meta.dirname, "tsconfig.cli.json");

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ media: true, sessionPeriodS: 5 });
  await platform.user("tty@example.test", 1000, "secret-tty-password");
}, 180_000);

afterAll(async () => {
  await platform?.close();
});

/** Runs the CLI on a pseudo-terminal; `answer` is called with the output so far and may type. */
function onTerminal(
  args: readonly string[],
  home: string,
  answer: (output: string, type: (text: string) => void) => void = () => {},
): Promise<{ code: number | null; output: string }> {
  const quoted = [process.execPath, "--import", "tsx", CLI, ...args]
    .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
    .join(" ");
  const child = spawn("script", ["-qfec", `stty cols 120 rows 40; exec ${quoted}`, "/dev/null"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      XDG_CONFIG_HOME: home,
      TSX_TSCONFIG_PATH: TSCONFIG,
      MPVSTREAM_SERVER: platform.url,
      TERM: "xterm",
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  const type = (text: string) => child.stdin.write(text);
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    answer(output, type);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      child.stdin.destroy();
      resolve({ code, output });
    }),
  );
}

describe("on a terminal", () => {
  it("asks for the email, then the password without echoing it", async () => {
    const home = await platform.home();
    let typedEmail = false;
    let typedPassword = false;
    const result = await onTerminal(["login"], home, (output, type) => {
      if (!typedEmail && output.includes("Email: ")) {
        typedEmail = true;
        type("tty@example.test\r");
      }
      if (!typedPassword && output.includes("Password (not shown): ")) {
        typedPassword = true;
        // Typed after the prompt, key by key, with a typo corrected by backspace.
        type("secret-tty-passwordX\x7f\r");
      }
    });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain("tty@example.test"); // the email is echoed
    expect(result.output).not.toContain("secret-tty-password"); // the password is not
    expect(result.output).toContain("Logged in to");
    const saved = JSON.parse(await readFile(path.join(home, "mpvstream", "credentials.json"), "utf8"));
    expect(saved.email).toBe("tty@example.test");
  });

  it("Ctrl-C at the password prompt cancels with exit 130 and saves nothing", async () => {
    const home = await platform.home();
    let typed = false;
    const result = await onTerminal(["login", "--email", "tty@example.test"], home, (output, type) => {
      if (!typed && output.includes("Password (not shown): ")) {
        typed = true;
        type("secr\x03");
      }
    });
    expect(result.code).toBe(130);
    expect(result.output).toContain("Cancelled.");
    await expect(readFile(path.join(home, "mpvstream", "credentials.json"))).rejects.toThrow();
  });

  it("draws a one-line status while playing, redrawn in place, then the summary", async () => {
    const home = await platform.home();
    await loginAs(home, platform.url, "tty@example.test", "secret-tty-password");
    const result = await onTerminal(["play", "demo", "--", "--vo=null", "--ao=null", "--length=4"], home);
    expect(result.code, result.output).toBe(0);
    const redraws = result.output.split("\r\x1b[2K").filter((part) => part.startsWith("▶ Demo"));
    expect(redraws.length).toBeGreaterThanOrEqual(2);
    expect(redraws.at(-1)).toMatch(
      /^▶ Demo · \d+s · spent \d+ points · balance \d+ · about (\d+h )?\d+m( \d+s)? left/,
    );
    expect(result.output).toMatch(/Watched \d+s of "Demo" · spent \d+ points · balance \d+ points\./);
  });
});

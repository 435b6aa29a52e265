import { CliError, EXIT } from "./exit.js";
import type { InputStream, OutputStream } from "./io.js";

/** Reads all of a stream (for `--password-stdin`), without its final line break. */
export async function readAll(input: InputStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/**
 * Asks a question on a terminal and reads one line. With `hidden`, nothing typed is echoed: the
 * terminal is put in raw mode and the keys are read one by one (backspace edits, Ctrl-C cancels,
 * Ctrl-D on an empty line cancels).
 */
export function ask(
  input: InputStream,
  output: OutputStream,
  question: string,
  hidden = false,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = "";
    const raw = hidden && typeof input.setRawMode === "function";
    // Echo goes off before the prompt shows: keys typed the moment it appears are not echoed.
    if (raw) input.setRawMode?.(true);
    output.write(question);
    input.setEncoding("utf8");
    const finish = (error?: CliError) => {
      input.off("data", onData);
      input.off("end", onEnd);
      if (raw) input.setRawMode?.(false);
      input.pause();
      if (hidden) output.write("\n");
      if (error) reject(error);
      else resolve(answer);
    };
    const cancelled = () => new CliError(EXIT.sigint, "cancelled", "Cancelled.");
    const onEnd = () => finish(answer === "" ? cancelled() : undefined);
    const onData = (chunk: string | Buffer) => {
      for (const char of String(chunk)) {
        if (char === "\r" || char === "\n") return finish();
        if (char === "\u0003") return finish(cancelled());
        if (char === "\u0004") {
          if (answer === "") return finish(cancelled());
          continue;
        }
        if (char === "\u007f" || char === "\b") {
          answer = [...answer].slice(0, -1).join("");
          if (!hidden) output.write("\b \b");
          continue;
        }
        if (char < " ") continue;
        answer += char;
        // Without raw mode the terminal echoes by itself.
        if (!hidden && raw) output.write(char);
      }
    };
    input.on("data", onData);
    input.once("end", onEnd);
    input.resume();
  });
}

import { randomBytes } from "node:crypto";
import { mkdtempSync, realpathSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";

/** A socket path nobody else can reach: inside a fresh 0700 directory (a random named pipe on Windows). */
export function privateSocket(): { dir: string | undefined; socketPath: string } {
  if (process.platform === "win32") {
    return { dir: undefined, socketPath: `\\\\.\\pipe\\mpvstream-${randomBytes(12).toString("hex")}` };
  }
  // mkdtemp creates the directory 0700: nobody else can reach the socket inside.
  const dir = mkdtempSync(path.join(realpathSync(tmpdir()), "mpvstream-"));
  return { dir, socketPath: path.join(dir, "ipc.sock") };
}

function connectOnce(socketPath: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    socket.once("connect", () => {
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/**
 * Connects to a unix socket or named pipe, retrying with backoff (from `firstDelayMs`, growing by half up
 * to 100 ms) until `deadline` or `alive()` fails.
 */
export async function connectWithRetry(
  socketPath: string,
  deadline: number,
  alive: () => boolean,
  firstDelayMs = 10,
): Promise<Socket> {
  let delay = firstDelayMs;
  for (;;) {
    try {
      return await connectOnce(socketPath);
    } catch (error) {
      if (!alive() || performance.now() + delay > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 1.5, 100);
    }
  }
}

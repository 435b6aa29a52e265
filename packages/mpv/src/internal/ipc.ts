import type { Duplex } from "node:stream";
import { MpvError } from "../errors.js";

/** An mpv IPC command: positional (`["set_property", "pause", true]`) or named (`{ name: "loadfile", ... }`). */
export type IpcCommand = readonly unknown[] | Readonly<Record<string, unknown>>;

/** Per-request options. */
export interface RequestOptions {
  /** Milliseconds to wait for the reply before rejecting with `ipc_timeout`. */
  readonly timeoutMs?: number;
  /** Run as an mpv `async` command: the reply comes when the command completes, maybe out of order. */
  readonly async?: boolean;
}

interface Pending {
  readonly name: string;
  readonly resolve: (data: unknown) => void;
  readonly reject: (error: MpvError) => void;
  readonly timer: NodeJS.Timeout;
}

/** Callbacks of an {@link IpcConnection}. */
export interface IpcHandlers {
  /** Every message that carries an `event` field. */
  readonly onEvent: (event: Record<string, unknown>) => void;
  /** The connection closed (mpv quit or died, or {@link IpcConnection.close} was called). */
  readonly onClose: () => void;
}

function commandName(command: IpcCommand): string {
  const name = Array.isArray(command) ? command[0] : (command as Record<string, unknown>).name;
  return typeof name === "string" ? name : "command";
}

/**
 * Newline-delimited JSON over one stream: `request_id` correlation, a timeout per request and
 * every pending request rejected when the stream closes. Lines are buffered across chunks.
 */
export class IpcConnection {
  #socket: Duplex;
  #handlers: IpcHandlers = { onEvent: () => {}, onClose: () => {} };
  #timeoutMs: number;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #buffer = "";
  #closed = false;

  constructor(socket: Duplex, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.#receive(chunk));
    // ECONNRESET when mpv dies: treated as a close, never as an uncaught error.
    socket.on("error", () => this.#finish());
    socket.on("close", () => this.#finish());
    socket.on("end", () => this.#finish());
  }

  /** Sets where events and the close go. */
  setHandlers(handlers: IpcHandlers): void {
    this.#handlers = handlers;
  }

  /** Whether the connection has closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends a command and resolves with its `data`, or rejects with an {@link MpvError}. */
  request(command: IpcCommand, options: RequestOptions = {}): Promise<unknown> {
    const name = commandName(command);
    if (this.#closed) {
      return Promise.reject(new MpvError("ipc_closed", `mpv IPC is closed: ${name} not sent`));
    }
    const id = this.#nextId++;
    const message: Record<string, unknown> = { command, request_id: id };
    if (options.async === true) message.async = true;
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new MpvError("ipc_timeout", `mpv did not answer ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.#pending.set(id, { name, resolve, reject, timer });
      this.#socket.write(`${JSON.stringify(message)}\n`);
    });
  }

  /** Closes the connection; pending requests are rejected with `ipc_closed`. */
  close(): void {
    this.#socket.destroy();
    this.#finish();
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    let newline = this.#buffer.indexOf("\n");
    while (newline >= 0) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + 1);
      if (line.trim() !== "") this.#dispatch(line);
      newline = this.#buffer.indexOf("\n");
    }
  }

  #dispatch(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return; // mpv only writes JSON here; a broken line is dropped rather than trusted.
    }
    if (typeof message !== "object" || message === null) return;
    const record = message as Record<string, unknown>;
    if (typeof record.event === "string") {
      this.#handlers.onEvent(record);
      return;
    }
    const id = record.request_id;
    if (typeof id !== "number") return;
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (record.error === "success") pending.resolve(record.data);
    else {
      const reason = typeof record.error === "string" ? record.error : "unknown error";
      pending.reject(
        new MpvError("command_failed", `mpv refused ${pending.name}: ${reason}`, {
          cause: { command: pending.name, error: reason },
        }),
      );
    }
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(new MpvError("ipc_closed", `mpv IPC closed before it answered ${pending.name}`));
    }
    this.#handlers.onClose();
  }
}

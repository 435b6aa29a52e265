import type { RequestOptions } from "node:http";

/** An answer read by {@link requestJson}: its status and its body parsed as JSON (`undefined` if it is not). */
export interface JsonAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** What {@link requestJson} sends. */
export interface JsonRequest {
  readonly method: "GET" | "POST";
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Gives up (rejects) after this long without the whole answer. */
  readonly timeoutMs: number;
}

const MAX_ANSWER_BYTES = 1 << 20;

/**
 * One JSON request over `node:http(s)`: no retries, no token refresh, no validation. Only `play`'s
 * first requests use it, before `@mpvstream/client` is loaded: the client's `fetch` costs its first
 * call about 30 ms more than this on a small machine (Node loads undici then), and that is on the
 * way to the first frame. Every answer but the expected one makes `play` redo the call through
 * the client, which then retries, refreshes and explains as usual.
 */
export async function requestJson(url: string, request: JsonRequest): Promise<JsonAnswer> {
  const target = new URL(url);
  const { request: send } =
    target.protocol === "https:" ? await import("node:https") : await import("node:http");
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  const options: RequestOptions = {
    method: request.method,
    headers: {
      accept: "application/json",
      ...(payload === undefined ? {} : { "content-type": "application/json" }),
      ...request.headers,
    },
    timeout: request.timeoutMs,
  };
  return new Promise<JsonAnswer>((resolve, reject) => {
    const outgoing = send(target, options, (answer) => {
      const chunks: Buffer[] = [];
      let size = 0;
      answer.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) outgoing.destroy(new Error("answer too large"));
        else chunks.push(chunk);
      });
      answer.on("end", () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          body = undefined;
        }
        resolve({ status: answer.statusCode ?? 0, body });
      });
      answer.on("error", reject);
    });
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer within ${request.timeoutMs} ms`)));
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { type AppHandle, type AppOptions, createApp } from "./app.js";
import type { ServerConfig } from "./config.js";

/** A running server: the app handle plus the HTTP server and its URL. */
export interface ServerHandle extends AppHandle {
  /** The listening HTTP server. */
  server: http.Server;
  /** Where it listens, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /**
   * Graceful shutdown: stops accepting, lets in-flight requests finish (at most `graceMs`, 10 s
   * by default, then cuts what is left), and closes the stores.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Builds the app and listens on `config.host:config.port` with hardened timeouts.
 *
 * @example
 * ```ts
 * const server = await startServer(defineConfig({ port: 0 }));
 * console.log(server.url);
 * await server.close();
 * ```
 */
export async function startServer(config: ServerConfig, options: AppOptions = {}): Promise<ServerHandle> {
  const handle = await createApp(config, options);
  const server = http.createServer(
    { requestTimeout: 30_000, headersTimeout: 10_000, maxHeaderSize: 16_384 },
    (req, res) => {
      // The gate answers /play/ from memory before Express: live segments are the hot path.
      if (!handle.gate(req, res)) handle.app(req, res);
    },
  );
  server.keepAliveTimeout = 5_000;
  server.timeout = 60_000;
  server.maxRequestsPerSocket = 10_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, config.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await handle.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`;
  if (config.port === 0 && config.publicUrl.endsWith(":0")) handle.setPublicUrl(url);
  const closeApp = handle.close;
  let closing: Promise<void> | undefined;
  return {
    ...handle,
    server,
    url,
    close(graceMs = 10_000) {
      closing ??= (async () => {
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        await done;
        clearTimeout(timer);
        await closeApp();
      })();
      return closing;
    },
  };
}

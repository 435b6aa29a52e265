import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { HlsError } from "./errors.js";

/** Fails with `port_in_use` when a TCP port cannot be bound now. */
export function checkTcpPort(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new HlsError(
          error.code === "EADDRINUSE" ? "port_in_use" : "invalid_options",
          `cannot listen on tcp ${host}:${port}: ${error.code ?? error.message}`,
          { cause: error },
        ),
      );
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve()));
  });
}

/** Fails with `port_in_use` when a UDP port cannot be bound now. */
export function checkUdpPort(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", (error: NodeJS.ErrnoException) => {
      socket.close();
      reject(
        new HlsError(
          error.code === "EADDRINUSE" ? "port_in_use" : "invalid_options",
          `cannot listen on udp ${host}:${port}: ${error.code ?? error.message}`,
          { cause: error },
        ),
      );
    });
    socket.bind({ port, address: host, exclusive: true }, () => socket.close(() => resolve()));
  });
}

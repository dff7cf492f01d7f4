import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Starts listening; resolves with the bound address (useful with port 0 in tests). */
export function listen(server: Server, port: number, host?: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once("error", onError);
    server.listen({ port, ...(host === undefined ? {} : { host }) }, () => {
      server.off("error", onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

export interface ShutdownResult {
  /** True when in-flight requests outlived the timeout and their connections were cut. */
  readonly forced: boolean;
}

/**
 * Stops accepting connections and waits for in-flight requests to finish, at most `timeoutMs`;
 * then cuts the remaining connections. Keep-alive connections are closed as soon as they go idle
 * and get `Connection: close` on any further response, so clients reconnect to another replica.
 */
export function shutdown(server: Server, timeoutMs: number): Promise<ShutdownResult> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve({ forced: false });
      return;
    }
    let forced = false;
    server.on("request", (_req, res) => {
      if (!res.headersSent) res.setHeader("Connection", "close");
    });
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      forced = true;
      server.closeAllConnections();
    }, timeoutMs);
    server.close((error) => {
      clearInterval(sweep);
      clearTimeout(deadline);
      if (error !== undefined) reject(error);
      else resolve({ forced });
    });
    server.closeIdleConnections();
  });
}

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { Logger } from "../../core/ports/logger.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { malformedRequest, serverErrorHandler } from "../runtime/server-errors.ts";
import { openNodeSqlite } from "../store/node-sqlite.ts";
import { openSql } from "../store/open-sql.ts";
import { quietBreak } from "./quiet-break.ts";
import { nodeUpstream } from "./upstream.ts";

/** node:http limits (reliability.md "Default limits"); tests assert these effective values. */
export const NODE_SERVER_LIMITS = {
  headersTimeout: 30_000,
  requestTimeout: 300_000,
  keepAliveTimeout: 65_000,
  maxHeaderSize: 32 * 1024,
} as const;

/**
 * A node:http server with NODE_SERVER_LIMITS that hands every request to `handler` as a Fetch
 * Request. Errors reach `logger` as one JSON line, never node-server's console.error.
 */
export function createNodeServer(handler: (request: Request) => Promise<Response>, logger: Logger): Server {
  const onError = serverErrorHandler(logger);
  const listener = getRequestListener(
    async (request, env) => quietBreak(await handler(request), () => env.outgoing.destroy()),
    {
      // Keep the real Request/Response globals: the core and fetch see standard objects.
      overrideGlobalObjects: false,
      errorHandler: (error) =>
        error instanceof Error && error.name === "RequestError" ? malformedRequest() : onError(error),
    },
  );
  const { keepAliveTimeout, ...options } = NODE_SERVER_LIMITS;
  // HTTP/1.0 allows a request without Host; @hono/node-server cannot build its URL then. Served as
  // localhost, as Deno does (the bridge routes on the path alone).
  const server = createServer(options, (incoming, outgoing) => {
    if (incoming.headers.host === undefined && incoming.httpVersion === "1.0")
      incoming.headers.host = "localhost";
    return listener(incoming, outgoing);
  });
  server.keepAliveTimeout = keepAliveTimeout;
  return server;
}

/**
 * Node: node:http with our limits, @hono/node-server for the node:http <-> Fetch conversion (it
 * aborts request.signal when the client goes away before the response has finished),
 * node:sqlite where Node has it, and fetch with a dispatcher whose timeouts the bridge owns.
 */
export const nodeRuntime: Runtime = {
  name: "node",
  openSql: (db) => openSql(db, openNodeSqlite),
  upstream: nodeUpstream,
  async serve(handler, settings, logger) {
    const server = createNodeServer(handler, logger);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(settings.listen.port, settings.listen.hostname, () => resolve());
    });
    const { address, port } = server.address() as AddressInfo;
    return {
      url: `http://${address.includes(":") ? `[${address}]` : address}:${port}`,
      async stop(force) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (!force) return;
        server.closeAllConnections();
        await closed;
      },
    };
  },
};

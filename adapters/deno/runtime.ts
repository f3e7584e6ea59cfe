import type { Runtime } from "../runtime/runtime.ts";
import { serverErrorHandler } from "../runtime/server-errors.ts";
import { openNodeSqlite } from "../store/node-sqlite.ts";
import { openSql } from "../store/open-sql.ts";

/**
 * Deno: Deno.serve, node:sqlite and Deno's fetch. Deno.serve aborts request.signal after every
 * completed response unless run with --unstable-no-legacy-abort (DENO_FLAGS); with it, an abort
 * means the client really went away. The core detaches its abort listeners once an exchange
 * settles, so even the legacy behaviour cannot mark a finished request as cancelled.
 */
export const denoRuntime: Runtime = {
  name: "deno",
  openSql: (db) => openSql(db, openNodeSqlite),
  upstream: (request) => fetch(request),
  async serve(handler, settings, logger) {
    const { promise: listening, resolve } = Promise.withResolvers<Deno.NetAddr>();
    const server = Deno.serve(
      {
        hostname: settings.listen.hostname,
        port: settings.listen.port,
        onListen: resolve,
        // Deno also reports here a response stream the core errored because its upstream broke
        // mid-event: that too becomes one JSON line (the answer is ignored once headers are out).
        onError: serverErrorHandler(logger),
      },
      handler,
    );
    const { hostname, port } = await listening;
    let shutdown: Promise<void> | null = null;
    return {
      url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`,
      async stop(force) {
        // shutdown() stops accepting at once and resolves when in-flight requests finish.
        shutdown ??= server.shutdown();
        if (force) await Promise.race([shutdown, new Promise((r) => setTimeout(r, 1_000))]);
      },
    };
  },
};

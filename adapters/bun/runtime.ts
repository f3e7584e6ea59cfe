import type { Runtime } from "../runtime/runtime.ts";
import { serverErrorHandler } from "../runtime/server-errors.ts";
import { openBunSqlite } from "../store/bun-sqlite.ts";
import { isPostgresUrl, openSql } from "../store/open-sql.ts";
import { WorkerAuditSink } from "../store/worker-audit-sink.ts";
import { guardBodyIdle } from "./body-idle.ts";

/** The bridge enforces its own timeouts; Bun's 5-minute socket idle default must not cut long calls. */
const NO_TIMEOUT = { timeout: false } as const;

/** The default runtime: Bun.serve, bun:sqlite (audit writes on a worker thread) and Bun's fetch. */
export const bunRuntime: Runtime = {
  name: "bun",
  openSql: (db) => openSql(db, openBunSqlite),
  // SQLite files only: PostgreSQL's driver is already async, and a ":memory:" database opened
  // on another thread would be a different database.
  openAuditSink: (db) => (isPostgresUrl(db) || db === ":memory:" ? null : new WorkerAuditSink(db)),
  upstream: (request) => fetch(request, NO_TIMEOUT),
  async serve(handler, settings, logger) {
    const server = Bun.serve({
      // Development mode (Bun's default unless NODE_ENV=production) prints an errored response
      // stream (the core errors one when its upstream breaks mid-event) with a source frame and
      // a stack on stderr; in production mode Bun stays silent about it (the audit records it).
      development: false,
      hostname: settings.listen.hostname,
      port: settings.listen.port,
      fetch: guardBodyIdle(handler, settings.idleTimeoutS),
      // Only a backstop, far above the bridge's own limit: Bun answers an oversized declared
      // Content-Length itself with an empty 413, so the bridge (which checks the declared length
      // and counts while reading) must see every body to answer 413 in the provider's shape.
      maxRequestBodySize: Math.max(settings.limits.maxBodyBytes * 2, 2 ** 31),
      idleTimeout: settings.idleTimeoutS,
      error: serverErrorHandler(logger),
    });
    return {
      url: `http://${settings.listen.hostname.includes(":") ? `[${settings.listen.hostname}]` : settings.listen.hostname}:${server.port}`,
      async stop(force) {
        await server.stop(force);
      },
    };
  },
};

import type { AuditSink } from "../../core/audit/batching-recorder.ts";
import type { Logger } from "../../core/ports/logger.ts";
import type { Upstream } from "../../core/ports/upstream.ts";
import type { SqlClient } from "../../core/store/sql-client.ts";
import type { Settings } from "../config/load.ts";

export interface RunningServer {
  readonly url: string;
  /** Stops accepting connections; with `force`, also closes the open ones. */
  stop(force: boolean): Promise<void>;
}

/** An AuditSink that also owns a resource (a writer thread) to release at shutdown. */
export interface ClosableAuditSink extends AuditSink {
  /** Resolves once every batch handed over before it is committed (or has failed). */
  close(): Promise<void>;
}

/** What differs between Bun, Node and Deno; everything else is shared. */
export interface Runtime {
  readonly name: "bun" | "node" | "deno";
  openSql(db: string): Promise<SqlClient>;
  /**
   * Where `serve` writes audit batches when not through openSql's client, or null. Bun gives
   * SQLite files a writer thread (docs/architecture.md, "Audit off the hot path").
   */
  openAuditSink?(db: string): ClosableAuditSink | null;
  /** Starts the server; an error the handler did not catch goes to `logger`, one JSON line. */
  serve(
    handler: (request: Request) => Promise<Response>,
    settings: Settings,
    logger: Logger,
  ): Promise<RunningServer>;
  readonly upstream: Upstream;
}

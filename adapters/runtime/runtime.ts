import type { Upstream } from "../../core/ports/upstream.ts";
import type { SqlClient } from "../../core/store/sql-client.ts";
import type { Settings } from "../config/load.ts";

export interface RunningServer {
  readonly url: string;
  /** Stops accepting connections; with `force`, also closes the open ones. */
  stop(force: boolean): Promise<void>;
}

/** What differs between Bun, Node and Deno; everything else is shared. */
export interface Runtime {
  readonly name: "bun" | "node" | "deno";
  openSql(db: string): Promise<SqlClient>;
  serve(handler: (request: Request) => Promise<Response>, settings: Settings): Promise<RunningServer>;
  readonly upstream: Upstream;
}

import { isBuiltin } from "node:module";
import { join } from "node:path";
import { DENO_FLAGS } from "../../adapters/deno/flags.ts";
import { BUN, ROOT, type RunningServer, type ServerOptions, startServer } from "../helpers/server-process.ts";
import { freshDatabase } from "../postgres/pg.ts";

/** One way to run `causeway serve`: the command, extra environment, and the store it gets. */
export interface RuntimeUnderTest {
  readonly name: "bun" | "node" | "deno";
  readonly command: readonly string[];
  readonly env: Record<string, string>;
  /** A CAUSEWAY_DB for a fresh store (undefined: server-process's temp SQLite file). */
  database(): Promise<{ db: string | undefined; drop(): Promise<void> }>;
}

const sqliteFile = async () => ({ db: undefined, drop: async () => {} });
const postgresDatabase = async (name: string) => {
  const database = await freshDatabase(`behaviour_${name}`);
  return { db: database.url, drop: database.drop };
};

/** Node without node:sqlite (Node 20) runs on PostgreSQL, the store docs/runtimes.md tells it to use. */
export const NODE_HAS_SQLITE = isBuiltin("node:sqlite");

export const RUNTIMES: readonly RuntimeUnderTest[] = [
  { name: "bun", command: [BUN, join(ROOT, "adapters/bun/main.ts")], env: {}, database: sqliteFile },
  {
    name: "node",
    // The build test/global-setup.ts makes (npm run build).
    command: [process.execPath, join(ROOT, "dist/adapters/node/main.js")],
    env: {},
    database: NODE_HAS_SQLITE ? sqliteFile : () => postgresDatabase("node"),
  },
  {
    name: "deno",
    command: [
      join(ROOT, "node_modules/.bin/deno"),
      "run",
      ...DENO_FLAGS,
      join(ROOT, "adapters/deno/main.ts"),
    ],
    // A stable cache: server-process gives each server a fresh HOME, which would mean a cold start.
    env: { DENO_DIR: join(ROOT, "node_modules/.cache/deno"), DENO_NO_UPDATE_CHECK: "1" },
    database: sqliteFile,
  },
];

/** A running `causeway serve` on a runtime under test; `close` stops it and drops its store. */
export type ServerOn = RunningServer & { close(): Promise<void> };

/** Starts `causeway serve` on `runtime` with a fresh store; `options.env` adds to the runtime's. */
export async function serveOn(runtime: RuntimeUnderTest, options: ServerOptions = {}): Promise<ServerOn> {
  const database = await runtime.database();
  try {
    const server = await startServer({
      ...options,
      command: runtime.command,
      env: { ...runtime.env, ...(database.db ? { CAUSEWAY_DB: database.db } : {}), ...options.env },
    });
    return Object.assign(server, {
      async close() {
        await server.stop();
        await database.drop();
      },
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
}

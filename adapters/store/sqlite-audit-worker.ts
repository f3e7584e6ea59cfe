/**
 * The audit writer thread (Bun only; started by WorkerAuditSink). Owns its own bun:sqlite
 * connection to the server's SQLite file, so the fsync of every committed batch blocks this
 * thread instead of the event loop serving streams. The SQL is SqlStore.writeAudit's: the same
 * statements, one transaction per batch, whatever thread runs them.
 */
import type { AuditEntry } from "../../core/ports/recorder.ts";
import { SqlStore } from "../../core/store/sql-store.ts";
import type { AuditWriterReply, AuditWriterRequest } from "./audit-writer-protocol.ts";
import { openBunSqlite } from "./bun-sqlite.ts";

declare const self: Worker;

let path: string | null = null;
let store: SqlStore | null = null;

async function handle(request: AuditWriterRequest): Promise<void> {
  switch (request.type) {
    case "open":
      path = request.path;
      return;
    case "write": {
      if (path === null) throw new Error("audit writer: no database opened");
      // Opened lazily and dropped after a failure: whatever broke the connection (file moved,
      // locked, disk full), the recorder's retry then gets a fresh one.
      store ??= new SqlStore(openBunSqlite(path));
      try {
        await store.writeAudit(JSON.parse(request.entries) as AuditEntry[]);
      } catch (error) {
        await closeStore();
        throw error;
      }
      return;
    }
    case "close":
      await closeStore();
      return;
  }
}

async function closeStore(): Promise<void> {
  const open = store;
  store = null;
  await open?.sql.close().catch(() => {});
}

// One request at a time, in arrival order: a write's awaits must not let the next one (or a
// close) start in the middle of its transaction.
let queue: Promise<void> = Promise.resolve();
self.onmessage = (event: MessageEvent<AuditWriterRequest>) => {
  const request = event.data;
  queue = queue.then(async () => {
    let reply: AuditWriterReply;
    try {
      await handle(request);
      reply = { id: request.id, ok: true };
    } catch (error) {
      reply = { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    self.postMessage(reply);
  });
};

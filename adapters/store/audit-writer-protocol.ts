/**
 * Messages between WorkerAuditSink (main thread) and sqlite-audit-worker.ts. Every request
 * carries an id and gets exactly one reply with that id; the worker handles requests one at a
 * time in the order they were posted, so replies come back in order too.
 */
export type AuditWriterRequest =
  /** Remembers the SQLite file; the connection opens on the first write (and reopens after a failure). */
  | { readonly type: "open"; readonly id: number; readonly path: string }
  /** One batch, one transaction. `entries` is the batch as JSON text: one string clones cheaper than an object graph. */
  | { readonly type: "write"; readonly id: number; readonly entries: string }
  /** Closes the connection; every write posted before it has been answered by then. */
  | { readonly type: "close"; readonly id: number };

export type AuditWriterReply =
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly ok: false; readonly error: string };

import type { AuditEntry } from "../ports/recorder.ts";

/**
 * Durable local storage for audit entries the store could not take (a port: the file lives in
 * adapters/store/audit-spool.ts). Entries carry their own keys and the store's writes are
 * idempotent, so replaying entries that were already stored is harmless.
 */
export interface AuditSpool {
  /** Appends in order; resolves only once the entries are on disk (fsync). On failure nothing is kept. */
  append(entries: readonly AuditEntry[]): Promise<void>;
  /** Everything appended since the last `clear`, in order; `unreadable` counts torn or corrupt lines. */
  readAll(): Promise<{ entries: AuditEntry[]; unreadable: number }>;
  /** Empties the spool (durably). */
  clear(): Promise<void>;
  /** Current size on disk, known without I/O. */
  sizeBytes(): number;
}

/** A spool in memory: for tests and embedders without a file system (not durable across a crash). */
export class MemoryAuditSpool implements AuditSpool {
  lines: string[] = [];
  /** Set to make the next appends fail, as a full disk would. */
  failAppends = false;
  #bytes = 0;

  async append(entries: readonly AuditEntry[]): Promise<void> {
    if (this.failAppends) throw new Error("ENOSPC: no space left on device");
    for (const entry of entries) {
      const line = JSON.stringify(entry);
      this.lines.push(line);
      this.#bytes += line.length + 1;
    }
  }

  async readAll(): Promise<{ entries: AuditEntry[]; unreadable: number }> {
    return { entries: this.lines.map((line) => JSON.parse(line) as AuditEntry), unreadable: 0 };
  }

  async clear(): Promise<void> {
    this.lines = [];
    this.#bytes = 0;
  }

  sizeBytes(): number {
    return this.#bytes;
  }
}

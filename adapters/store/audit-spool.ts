import { closeSync, fsyncSync, openSync, readSync, statSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { AuditSpool } from "../../core/audit/audit-spool.ts";
import type { AuditEntry } from "../../core/ports/recorder.ts";

const KINDS = new Set([
  "interception-start",
  "token-usage",
  "prompt",
  "tool-usage",
  "thought",
  "interception-end",
]);

/**
 * The audit spool as a JSONL file (one entry per line), through node:fs so it runs on Bun, Node
 * and Deno alike. Appends are fsynced before they resolve; a failed append is cut back off, so
 * the file only ever holds whole batches, except a torn last line after a crash, which reading
 * skips and counts.
 */
export class FileAuditSpool implements AuditSpool {
  readonly path: string;
  #size: number;
  /** Whether the file ends with a newline; if not (a torn line), the next append starts one. */
  #endsClean: boolean;

  /** Opens (creating if needed) at startup, so an unwritable path stops the server right away. */
  constructor(path: string) {
    this.path = path;
    const fd = openSync(path, "a+");
    try {
      this.#size = statSync(path).size;
      this.#endsClean = this.#size === 0 || lastByte(fd, this.#size) === 0x0a;
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    syncDirectory(dirname(path));
  }

  async append(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const text = `${this.#endsClean ? "" : "\n"}${entries.map((e) => JSON.stringify(e)).join("\n")}\n`;
    const bytes = new TextEncoder().encode(text);
    const file = await open(this.path, "a");
    try {
      await file.write(bytes);
      await file.sync();
    } catch (error) {
      // A half-written batch (disk full) must not stay: cut the file back to what it was.
      await file.truncate(this.#size).catch(() => {});
      throw error;
    } finally {
      await file.close();
    }
    this.#size += bytes.byteLength;
    this.#endsClean = true;
  }

  async readAll(): Promise<{ entries: AuditEntry[]; unreadable: number }> {
    const text = await readFile(this.path, "utf8");
    const entries: AuditEntry[] = [];
    let unreadable = 0;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const entry = parseEntry(line);
      if (entry) entries.push(entry);
      else unreadable++;
    }
    return { entries, unreadable };
  }

  async clear(): Promise<void> {
    const file = await open(this.path, "r+");
    try {
      await file.truncate(0);
      await file.sync();
    } finally {
      await file.close();
    }
    this.#size = 0;
    this.#endsClean = true;
  }

  sizeBytes(): number {
    return this.#size;
  }
}

function parseEntry(line: string): AuditEntry | null {
  try {
    const value: unknown = JSON.parse(line);
    const kind = typeof value === "object" && value !== null ? (value as { kind?: unknown }).kind : null;
    return typeof kind === "string" && KINDS.has(kind) ? (value as AuditEntry) : null;
  } catch {
    return null;
  }
}

function lastByte(fd: number, size: number): number {
  const buffer = new Uint8Array(1);
  readSync(fd, buffer, 0, 1, size - 1);
  return buffer[0] ?? 0;
}

/** Makes a newly created file's directory entry durable too (best effort: not every OS allows it). */
function syncDirectory(path: string): void {
  try {
    const fd = openSync(path, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot open a directory; the file's own fsync still holds its contents.
  }
}

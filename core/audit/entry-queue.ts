import type { AuditEntry } from "../ports/recorder.ts";

/**
 * A FIFO of audit entries kept in chunks of at most `chunkSize`, so taking a batch off the front
 * costs O(batch) however long the backlog is (a flat array's `splice(0, n)` moves the whole
 * backlog every batch, which made a busy writer fall further behind).
 */
export class EntryQueue {
  readonly #chunkSize: number;
  #chunks: AuditEntry[][] = [];
  #length = 0;

  constructor(chunkSize: number) {
    this.#chunkSize = chunkSize;
  }

  get length(): number {
    return this.#length;
  }

  push(entry: AuditEntry): void {
    const tail = this.#chunks.at(-1);
    if (tail && tail.length < this.#chunkSize) tail.push(entry);
    else this.#chunks.push([entry]);
    this.#length++;
  }

  /** The oldest entries, at most `chunkSize`; a copy, safe to hold while more are pushed. */
  head(): AuditEntry[] {
    return this.#chunks[0]?.slice() ?? [];
  }

  /** Every entry, oldest first (a copy). */
  all(): AuditEntry[] {
    return this.#chunks.flat();
  }

  /** Removes the `count` oldest entries. */
  drop(count: number): void {
    let left = Math.min(count, this.#length);
    while (left > 0) {
      const first = this.#chunks[0]!;
      if (left >= first.length) {
        this.#chunks.shift();
        this.#length -= first.length;
        left -= first.length;
      } else {
        first.splice(0, left);
        this.#length -= left;
        left = 0;
      }
    }
  }
}

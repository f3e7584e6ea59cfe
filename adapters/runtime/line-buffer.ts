/**
 * Log lines gathered and written together. `causeway serve` writes one line per interception; at
 * saturation a write to stderr per line cost more than the metrics (docs/benchmarks.md, "Cost of
 * observability"), since each is a system call on a pipe. Lines are held for at most
 * `maxDelayMs` (or until `maxBytes` are waiting) and written in one call; `urgent` lines (warnings
 * and errors) go out at once, after what is waiting, so order is kept and a line about a crash is
 * never the one held back. `flush` writes what is waiting: call it before the process exits.
 */
export class LineBuffer {
  readonly #write: (text: string) => void;
  readonly #maxDelayMs: number;
  readonly #maxBytes: number;
  #pending: string[] = [];
  #bytes = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(write: (text: string) => void, options: { maxDelayMs: number; maxBytes: number }) {
    this.#write = write;
    this.#maxDelayMs = options.maxDelayMs;
    this.#maxBytes = options.maxBytes;
  }

  push(line: string, urgent = false): void {
    this.#pending.push(line);
    this.#bytes += line.length;
    if (urgent || this.#bytes >= this.#maxBytes) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.#maxDelayMs);
  }

  flush(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#pending.length === 0) return;
    const text = this.#pending.join("");
    this.#pending = [];
    this.#bytes = 0;
    this.#write(text);
  }
}

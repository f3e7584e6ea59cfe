import type { Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { AuditEntry, Recorder } from "../ports/recorder.ts";

export interface AuditSink {
  writeAudit(entries: readonly AuditEntry[]): Promise<void>;
}

export interface BatchingOptions {
  /** Write when this many entries are queued... */
  readonly maxBatch: number;
  /** ...or this long after the first one was queued. */
  readonly maxDelayMs: number;
  /** Entries kept while the store is failing; beyond it the oldest are dropped and logged. */
  readonly maxQueued: number;
}

export const DEFAULT_BATCHING: BatchingOptions = { maxBatch: 512, maxDelayMs: 20, maxQueued: 100_000 };

/**
 * Records off the hot path: `record` only queues; a background writer stores batches in one
 * transaction each. A failing store never reaches the request: the batch stays queued and is
 * retried on the next tick, and only a queue past `maxQueued` loses entries (logged loudly).
 */
export class BatchingRecorder implements Recorder {
  #queue: AuditEntry[] = [];
  #writing: Promise<void> | null = null;
  #cancelTimer: (() => void) | null = null;
  readonly #sink: AuditSink;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #options: BatchingOptions;

  constructor(sink: AuditSink, clock: Clock, logger: Logger, options: BatchingOptions = DEFAULT_BATCHING) {
    this.#sink = sink;
    this.#clock = clock;
    this.#logger = logger;
    this.#options = options;
  }

  get queued(): number {
    return this.#queue.length;
  }

  record(entry: AuditEntry): void {
    this.#queue.push(entry);
    if (this.#queue.length > this.#options.maxQueued) {
      const dropped = this.#queue.splice(0, this.#queue.length - this.#options.maxQueued);
      this.#logger.error("audit queue full: entries dropped", { dropped: dropped.length });
    }
    if (this.#queue.length >= this.#options.maxBatch) this.#kick();
    else this.#cancelTimer ??= this.#clock.setTimer(this.#options.maxDelayMs, () => this.#kick());
  }

  /** Resolves when everything queued so far is stored; rejects if the store keeps failing. */
  async flush(): Promise<void> {
    this.#cancelTimer?.();
    this.#cancelTimer = null;
    while (this.#queue.length > 0 || this.#writing) {
      if (this.#writing) {
        await this.#writing;
        continue;
      }
      await this.#write();
      if (this.#failed) throw new Error("audit store unavailable");
    }
  }

  #failed = false;

  #kick(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = null;
    if (!this.#writing) void this.#write();
  }

  #write(): Promise<void> {
    const batch = this.#queue.splice(0, this.#options.maxBatch);
    const run = (async () => {
      try {
        await this.#sink.writeAudit(batch);
        this.#failed = false;
      } catch (error) {
        this.#failed = true;
        this.#queue.unshift(...batch);
        this.#logger.error("audit write failed; will retry", {
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        this.#writing = null;
      }
      if (this.#queue.length > 0) {
        if (this.#failed) this.#cancelTimer ??= this.#clock.setTimer(1000, () => this.#kick());
        else this.#kick();
      }
    })();
    this.#writing = run;
    return run;
  }
}

import type { Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { AuditEntry, Recorder } from "../ports/recorder.ts";
import type { AuditSpool } from "./audit-spool.ts";
import { EntryQueue } from "./entry-queue.ts";

export interface AuditSink {
  writeAudit(entries: readonly AuditEntry[]): Promise<void>;
}

/** What happens to audit records while the store cannot take them (docs/operations.md). */
export type WhenStoreDown = "spool" | "reject";

export interface BatchingOptions {
  /** Write when this many entries are queued... */
  readonly maxBatch: number;
  /** ...or this long after the first one was queued. */
  readonly maxDelayMs: number;
  /** Entries held in memory before new requests are refused (backpressure: nothing is dropped). */
  readonly maxQueued: number;
  /** A store write taking longer counts as failed (it may still land: writes are idempotent). */
  readonly writeTimeoutMs: number;
  /** How often a failing store is tried again. */
  readonly retryMs: number;
  /** `spool`: failed batches go to the spool; `reject`: new requests are refused while failing. */
  readonly whenStoreDown: WhenStoreDown;
  /** Spool size from which no more is spooled and new requests are refused instead (AUD-09). */
  readonly maxSpoolBytes: number;
}

export const DEFAULT_BATCHING: BatchingOptions = {
  maxBatch: 512,
  maxDelayMs: 20,
  maxQueued: 100_000,
  writeTimeoutMs: 5_000,
  retryMs: 1_000,
  whenStoreDown: "spool",
  maxSpoolBytes: 256 * 1024 * 1024,
};

/**
 * Records off the hot path: `record` only queues; one background writer stores batches in one
 * transaction each, strictly in order. Nothing is ever dropped. When a write fails the store is
 * "failing" until a write succeeds again (retried every `retryMs`), and meanwhile:
 * - `spool`: batches are appended durably to the spool, which is replayed into the store (then
 *   cleared) once it answers, and at startup. A full or unwritable spool turns into refusing.
 * - `reject`: batches stay in memory and `accepting()` turns false, so the bridge refuses new
 *   intercepted requests (503) until the store is back.
 * A queue past `maxQueued` also refuses new requests instead of dropping entries.
 */
export class BatchingRecorder implements Recorder {
  readonly #queue: EntryQueue;
  #writing: Promise<void> | null = null;
  #cancelBatchTimer: (() => void) | null = null;
  #cancelRetryTimer: (() => void) | null = null;
  /** A write failed and none has succeeded since. */
  #failing = false;
  #retryDue = false;
  /** The spool holds entries not yet replayed into the store. */
  #spooled: boolean;
  /** The spool reached its cap or could not be written: nothing more goes there until it is replayed. */
  #spoolFull = false;
  #accepting = true;
  readonly #sink: AuditSink;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #options: BatchingOptions;
  readonly #spool: AuditSpool | null;

  constructor(
    sink: AuditSink,
    clock: Clock,
    logger: Logger,
    options: Partial<BatchingOptions> = {},
    spool: AuditSpool | null = null,
  ) {
    this.#sink = sink;
    this.#clock = clock;
    this.#logger = logger;
    // Without a spool there is nowhere durable to put records: the safe default is to refuse.
    this.#options = { ...DEFAULT_BATCHING, whenStoreDown: spool ? "spool" : "reject", ...options };
    if (this.#options.whenStoreDown === "spool" && !spool) throw new Error("audit: spool mode needs a spool");
    this.#queue = new EntryQueue(this.#options.maxBatch);
    this.#spool = spool;
    this.#spooled = (spool?.sizeBytes() ?? 0) > 0;
    if (this.#spooled) {
      // Left by a previous run (crash or outage at shutdown): replay it before anything new.
      this.#logger.warn("audit spool found at startup; replaying", { bytes: spool?.sizeBytes() });
      this.#kick();
    }
  }

  /** Entries waiting in memory (a metric: bounded by maxQueued). */
  get queued(): number {
    return this.#queue.length;
  }

  /** Bytes in the spool not yet replayed (a metric: bounded by maxSpoolBytes plus one batch). */
  get spooledBytes(): number {
    return this.#spool?.sizeBytes() ?? 0;
  }

  /** False while records of new requests could not be kept: the bridge refuses them (503). */
  accepting(): boolean {
    return this.#accepting;
  }

  record(entry: AuditEntry): void {
    this.#queue.push(entry);
    if (this.#accepting && this.#queue.length >= this.#options.maxQueued) this.#refresh();
    if (this.#queue.length >= this.#options.maxBatch) this.#kick();
    else this.#armBatchTimer();
  }

  /** Writes what is queued within `maxDelayMs`, unless a full batch kicks it sooner. */
  #armBatchTimer(): void {
    if (this.#queue.length === 0) return;
    this.#cancelBatchTimer ??= this.#clock.setTimer(this.#options.maxDelayMs, () => {
      this.#cancelBatchTimer = null;
      this.#kick();
    });
  }

  /**
   * Resolves when everything recorded so far is stored or durably spooled; rejects if entries
   * remain only in memory because the store keeps failing and they cannot be spooled.
   */
  async flush(): Promise<void> {
    this.#cancelBatchTimer?.();
    this.#cancelBatchTimer = null;
    for (;;) {
      if (this.#writing) {
        await this.#writing;
        continue;
      }
      if (this.#queue.length === 0) return;
      this.#retryDue = true; // one more try of a failing store, now
      this.#kick();
      await this.#writing;
      if (this.#queue.length > 0 && this.#failing) throw new Error("audit store unavailable");
    }
  }

  /**
   * At shutdown: flushes, and if entries would stay only in memory (reject mode or a full spool
   * while the store is down), puts them in the spool anyway, whatever the mode or the cap: the
   * process is about to lose its memory, and the next start replays the spool. Stops the timers.
   */
  async close(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      const rest = this.#queue.all();
      if (!this.#spool || rest.length === 0) throw error;
      await this.#spool.append(rest);
      this.#queue.drop(rest.length);
      this.#logger.warn("audit store down at shutdown: records spooled for the next start", {
        entries: rest.length,
      });
    } finally {
      this.#cancelBatchTimer?.();
      this.#cancelRetryTimer?.();
      this.#cancelBatchTimer = this.#cancelRetryTimer = null;
    }
  }

  #kick(): void {
    this.#cancelBatchTimer?.();
    this.#cancelBatchTimer = null;
    if (!this.#writing) this.#writing = this.#drain();
  }

  /** The single writer: works until nothing more can be done now, in strict order (spool first). */
  async #drain(): Promise<void> {
    // Yield once, so `#writing` is set before this can finish.
    await Promise.resolve();
    try {
      for (;;) {
        if (this.#spooled && (!this.#failing || this.#takeRetry())) {
          await this.#replay();
          continue;
        }
        if (this.#queue.length === 0) break;
        if (!this.#failing || this.#takeRetry()) {
          const batch = this.#queue.head();
          if (await this.#store(batch)) {
            this.#queue.drop(batch.length);
            this.#refresh();
            // What arrived during the write waits for a full batch or the batch timer, like any
            // entry: writing it at once would turn a busy moment into a commit (an fsync) per
            // handful of requests. `flush` kicks again until the queue is empty.
            if (this.#queue.length < this.#options.maxBatch && !this.#spooled) {
              this.#armBatchTimer();
              break;
            }
            continue;
          }
        }
        if (!(await this.#spoolHead())) break;
      }
    } finally {
      this.#writing = null;
      if (this.#failing) this.#scheduleRetry();
    }
  }

  /** One transaction in the store; false (and failing) when it fails or times out. */
  async #store(batch: readonly AuditEntry[]): Promise<boolean> {
    try {
      await withTimeout(this.#sink.writeAudit(batch), this.#clock, this.#options.writeTimeoutMs);
    } catch (error) {
      this.#failing = true;
      this.#logger.error("audit write failed; will retry", {
        error: error instanceof Error ? error.message : String(error),
        when_store_down: this.#options.whenStoreDown,
        queued: this.#queue.length,
      });
      this.#refresh();
      return false;
    }
    if (this.#failing) this.#logger.info("audit store is back", { queued: this.#queue.length });
    this.#failing = false;
    this.#spoolFull = false;
    return true;
  }

  /** Moves the head batch from memory to the spool; false when spooling is off, full or failing. */
  async #spoolHead(): Promise<boolean> {
    const spool = this.#spool;
    if (this.#options.whenStoreDown !== "spool" || this.#spoolFull || !spool) return false;
    if (spool.sizeBytes() >= this.#options.maxSpoolBytes) {
      return this.#stopSpooling("audit spool full", { bytes: spool.sizeBytes() });
    }
    const batch = this.#queue.head();
    try {
      await spool.append(batch);
    } catch (error) {
      return this.#stopSpooling("audit spool write failed", {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    // Only now, with the batch on disk, does it leave memory.
    this.#queue.drop(batch.length);
    if (!this.#spooled) this.#logger.warn("audit store down; spooling audit records to disk");
    this.#spooled = true;
    this.#refresh();
    return true;
  }

  #stopSpooling(message: string, fields: Record<string, unknown>): false {
    this.#spoolFull = true;
    this.#logger.error(message, { ...fields, max_bytes: this.#options.maxSpoolBytes });
    this.#refresh();
    return false;
  }

  /** Stores the whole spool in order, then clears it; a failure leaves it for the next retry. */
  async #replay(): Promise<void> {
    const spool = this.#spool;
    if (!spool) return;
    let spooled: Awaited<ReturnType<AuditSpool["readAll"]>>;
    try {
      spooled = await spool.readAll();
    } catch (error) {
      return this.#spoolTrouble("audit spool unreadable; will retry", error);
    }
    if (spooled.unreadable > 0) {
      // Torn lines from a crash in mid-append: those entries were never acknowledged on disk.
      this.#logger.error("audit spool: unreadable lines skipped", { lines: spooled.unreadable });
    }
    const { entries } = spooled;
    for (let i = 0; i < entries.length; i += this.#options.maxBatch) {
      if (!(await this.#store(entries.slice(i, i + this.#options.maxBatch)))) return;
    }
    try {
      await spool.clear();
    } catch (error) {
      // Stored but not cleared: the next replay writes it again, which the store ignores.
      return this.#spoolTrouble("audit spool could not be cleared; will retry", error);
    }
    this.#spooled = false;
    this.#spoolFull = false;
    this.#logger.info("audit spool replayed into the store", { entries: entries.length });
    this.#refresh();
  }

  /** A spool I/O failure: wait for the retry timer rather than loop on it. */
  #spoolTrouble(message: string, error: unknown): void {
    this.#failing = true;
    this.#logger.error(message, { error: error instanceof Error ? error.message : String(error) });
    this.#refresh();
  }

  #takeRetry(): boolean {
    if (!this.#retryDue) return false;
    this.#retryDue = false;
    return true;
  }

  #scheduleRetry(): void {
    this.#cancelRetryTimer ??= this.#clock.setTimer(this.#options.retryMs, () => {
      this.#cancelRetryTimer = null;
      this.#retryDue = true;
      this.#kick();
    });
  }

  /** Recomputes `accepting()` from the state; logs each change once. */
  #refresh(): void {
    const reason = this.#spoolFull
      ? "audit spool full or unwritable"
      : this.#queue.length >= this.#options.maxQueued
        ? "audit queue full"
        : this.#failing && this.#options.whenStoreDown === "reject"
          ? "audit store down (when_store_down: reject)"
          : null;
    if ((reason === null) === this.#accepting) return;
    this.#accepting = reason === null;
    if (reason !== null) this.#logger.error("refusing new requests: audit cannot be kept", { reason });
    else this.#logger.info("audit can be kept again; accepting new requests");
  }
}

function withTimeout(work: Promise<void>, clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancel = clock.setTimer(ms, () => reject(new Error(`audit write timed out after ${ms} ms`)));
    work.then(
      () => {
        cancel();
        resolve();
      },
      (error: unknown) => {
        cancel();
        reject(error);
      },
    );
  });
}

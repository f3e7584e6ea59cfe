import type { AuditEntry } from "../../core/ports/recorder.ts";
import type { ClosableAuditSink } from "../runtime/runtime.ts";
import type { AuditWriterReply, AuditWriterRequest } from "./audit-writer-protocol.ts";

const WORKER_URL = new URL("./sqlite-audit-worker.ts", import.meta.url).href;

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Bun + SQLite file stores: audit batches are written by a Worker thread with its own
 * connection (sqlite-audit-worker.ts), because a synchronous bun:sqlite commit with
 * synchronous=FULL blocks the event loop for its fsync. `writeAudit` resolves when the worker
 * reports the transaction committed and rejects when it reports a failure or dies, so the
 * recorder's spool and retry logic applies unchanged. The recorder writes one batch at a time;
 * the worker also handles requests strictly in order, so nothing can overtake. A dead worker is
 * replaced on the next write.
 */
export class WorkerAuditSink implements ClosableAuditSink {
  readonly #path: string;
  readonly #workerUrl: string;
  #worker: Bun.Worker | null = null;
  #nextId = 1;
  readonly #waiting = new Map<number, Waiter>();
  #closed = false;

  /** `workerUrl` is for tests (a worker that fails on purpose). */
  constructor(path: string, workerUrl: string = WORKER_URL) {
    this.#path = path;
    this.#workerUrl = workerUrl;
    // Started now, so the thread has loaded its modules before the first batch.
    this.#spawn();
  }

  writeAudit(entries: readonly AuditEntry[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("audit writer thread is closed"));
    if (entries.length === 0) return Promise.resolve();
    return this.#request((id) => ({ type: "write", id, entries: JSON.stringify(entries) }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    if (!worker) return;
    try {
      // Answered after every write posted before it: the last ack is in when this resolves.
      await this.#request((id) => ({ type: "close", id }));
    } finally {
      this.#stop(worker, new Error("audit writer thread is closed"));
    }
  }

  #request(make: (id: number) => AuditWriterRequest): Promise<void> {
    const worker = this.#worker ?? this.#spawn();
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      // Referenced only while a reply is due: an idle writer must not keep the process alive.
      worker.ref();
      worker.postMessage(make(id));
    });
  }

  #spawn(): Bun.Worker {
    // Typed as Bun's Worker: the DOM lib's lacks ref/unref.
    const worker = new Worker(this.#workerUrl) as Bun.Worker;
    this.#worker = worker;
    worker.unref();
    worker.addEventListener("message", (event) => {
      const reply = (event as MessageEvent<AuditWriterReply>).data;
      const waiter = this.#waiting.get(reply.id);
      if (!waiter) return; // the reply to "open"
      this.#waiting.delete(reply.id);
      if (this.#waiting.size === 0) worker.unref();
      if (reply.ok) waiter.resolve();
      else waiter.reject(new Error(reply.error));
    });
    worker.addEventListener("error", (event) => {
      const { error, message } = event as ErrorEvent;
      // Bun leaves `error` unset and quotes the source around the throw in `message`: keep its "error:" line.
      const reason =
        error instanceof Error ? error.message : (/^error: (.+)$/m.exec(message)?.[1] ?? message);
      this.#stop(worker, new Error(`audit writer thread failed: ${reason}`));
    });
    worker.addEventListener("close", () => {
      this.#stop(worker, new Error("audit writer thread exited"));
    });
    worker.postMessage({ type: "open", id: this.#nextId++, path: this.#path } satisfies AuditWriterRequest);
    return worker;
  }

  /** Ends `worker` if it is the current one; its unanswered requests fail (the recorder retries). */
  #stop(worker: Bun.Worker, error: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    worker.terminate();
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }
}

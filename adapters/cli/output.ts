/**
 * Where the CLI writes: stdout for results, stderr for diagnostics, with backpressure.
 *
 * A pipe's reader may be slower than the command. Writes that the runtime could not hand to the
 * pipe at once are queued; exiting with a non-empty queue loses the rest (process.exit does not
 * wait). So every write that reports a full queue waits for "drain" before the next one, and
 * `flush()` waits for the queue to empty before the command exits. This also keeps memory flat:
 * a 100,000-record listing never sits in the queue whole.
 *
 * Bun's process.stdout reports neither writableNeedDrain nor writableLength for a pipe, and its
 * write callback fires before the bytes have left, so the return value of write() is the one
 * signal every runtime gives; it is what this follows.
 *
 * A reader that goes away (`| head -n 1`) makes the next write fail with EPIPE. That is not an
 * error of the command: the write throws BrokenPipe, the command stops producing, and
 * `runCli` ends quietly with status 0.
 */

/** The reader of stdout has closed the pipe. */
export class BrokenPipe extends Error {
  override readonly name = "BrokenPipe";
}

export interface Output {
  /** Writes `text` and a newline; resolves when more may be written. Throws BrokenPipe. */
  line(text: string): Promise<void>;
  /** Writes `text` as is. Throws BrokenPipe. */
  write(text: string): Promise<void>;
  /** Resolves once everything written so far has been handed to the operating system. */
  flush(): Promise<void>;
  /** Whether the reader has gone (EPIPE or the stream closed). */
  readonly broken: boolean;
  /** Stops watching the stream for errors (`serve` leaves its streams as the runtime has them). */
  release(): void;
}

type Stream = NodeJS.WritableStream & { destroyed?: boolean };

export function outputTo(stream: Stream): Output {
  let broken = false;
  /** Resolves when the pending "drain" arrives, or the stream fails or closes. */
  let pending: Promise<void> | null = null;

  const onError = (error: NodeJS.ErrnoException): void => {
    broken = true;
    // Only a vanished reader is expected here; anything else is still an end of this output.
    void error;
  };
  // A listener must exist before the first write: without one, Node and Bun report EPIPE as an
  // uncaught error with a stack trace (and Bun then waits forever for a "drain").
  stream.on("error", onError);

  const waitForDrain = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        stream.off("drain", done);
        stream.off("error", done);
        stream.off("close", done);
        resolve();
      };
      stream.on("drain", done);
      stream.on("error", done);
      stream.on("close", done);
    });

  const write = async (text: string): Promise<void> => {
    if (pending) await pending;
    if (broken || stream.destroyed) {
      broken = true;
      throw new BrokenPipe("stdout closed");
    }
    let accepted: boolean;
    try {
      accepted = stream.write(text);
    } catch {
      // Bun may throw EPIPE from write() itself rather than emitting it.
      broken = true;
      throw new BrokenPipe("stdout closed");
    }
    if (!accepted) {
      pending = waitForDrain().finally(() => {
        pending = null;
      });
    }
  };

  return {
    write,
    line: (text) => write(`${text}\n`),
    async flush() {
      if (pending) await pending;
      if (broken) return;
      // Node: the callback of an empty write runs once the queue ahead of it is written.
      await new Promise<void>((resolve) => {
        try {
          stream.write("", () => resolve());
        } catch {
          resolve();
        }
      });
      if (pending) await pending;
    },
    get broken() {
      return broken;
    },
    release() {
      stream.off("error", onError);
    },
  };
}

import { preciseNow } from "../lib/shapes.ts";

/** The longest a stamp (`t=<ms>.<µs>;`) can be; unmatched text beyond it can be dropped. */
const STAMP_MAX = 32;
const STAMP = /t=(\d+\.\d+);/g;

/**
 * Reads a response body and calls `onStamp(delayMs)` for every content event, where delay is
 * now minus the upstream's send time carried in the event. Stamps split across chunks are found.
 */
export class StampReader {
  #pending = "";
  readonly #decoder = new TextDecoder();
  count = 0;

  push(chunk: Uint8Array, onStamp: (delayMs: number) => void): void {
    const now = preciseNow();
    this.#pending += this.#decoder.decode(chunk, { stream: true });
    STAMP.lastIndex = 0;
    let end = 0;
    for (let match = STAMP.exec(this.#pending); match !== null; match = STAMP.exec(this.#pending)) {
      this.count++;
      onStamp(now - Number(match[1]));
      end = STAMP.lastIndex;
    }
    this.#pending = this.#pending.slice(Math.max(end, this.#pending.length - STAMP_MAX));
  }
}

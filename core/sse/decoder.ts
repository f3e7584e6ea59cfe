import { createParser, type EventSourceParser } from "eventsource-parser";
import type { SseEvent } from "./event.ts";

/** Largest SSE line we buffer: base64 images in a single event can be tens of MiB. */
const MAX_BUFFER_BYTES = 64 * 1024 * 1024;

/**
 * Incremental SSE decoder over eventsource-parser: feed it bytes in any chunking, get events.
 * Handles split UTF-8 sequences, CR/LF/CRLF (also split across chunks), BOM and comments.
 */
export class SseDecoder {
  readonly #text = new TextDecoder();
  readonly #parser: EventSourceParser;
  #pending: SseEvent[] = [];
  #comments = 0;

  constructor() {
    this.#parser = createParser({
      maxBufferSize: MAX_BUFFER_BYTES,
      onEvent: (message) => {
        this.#pending.push(message);
      },
      onComment: () => {
        this.#comments++;
      },
    });
  }

  /** Feeds raw bytes; returns the events completed by them. */
  push(bytes: Uint8Array): SseEvent[] {
    this.#parser.feed(this.#text.decode(bytes, { stream: true }));
    return this.#drain();
  }

  /** Feeds text that is already decoded. */
  pushText(text: string): SseEvent[] {
    this.#parser.feed(text);
    return this.#drain();
  }

  /** Ends the stream: flushes a trailing event that lacked its blank line, as browsers do not. */
  end(): SseEvent[] {
    const tail = this.#text.decode();
    if (tail) this.#parser.feed(tail);
    // The parser holds back a last line (or a final CR that might precede an LF) until more input
    // comes; two line ends complete it. After a cleanly ended stream they dispatch nothing.
    this.#parser.feed("\n\n");
    return this.#drain();
  }

  get commentCount(): number {
    return this.#comments;
  }

  #drain(): SseEvent[] {
    if (this.#pending.length === 0) return EMPTY;
    const events = this.#pending;
    this.#pending = [];
    return events;
  }
}

const EMPTY: SseEvent[] = [];

/** Decodes a whole SSE text at once (tests, fixtures, blocking paths). */
export function decodeSse(text: string): SseEvent[] {
  const decoder = new SseDecoder();
  return [...decoder.pushText(text), ...decoder.end()];
}

import { createParser, type EventSourceParser } from "eventsource-parser";
import type { SseEvent } from "./event.ts";

/**
 * Largest event (or line) buffered by default: base64 images in a single event can be tens of MiB.
 * Counted in UTF-16 code units of decoded text, as the parser counts; ≥ the bytes for ASCII.
 */
export const DEFAULT_MAX_EVENT_CHARS = 64 * 1024 * 1024;

/**
 * Incremental SSE decoder over eventsource-parser: feed it bytes in any chunking, get events.
 * Handles split UTF-8 sequences, CR/LF/CRLF (also split across chunks), BOM and comments.
 * An event (its pending line plus the data gathered so far) longer than `maxEventChars` stops the
 * decoder: `overflowed` turns true and every later call returns nothing, so the caller decides
 * what to do with a stream it can no longer read (the parser alone would throw on the next feed).
 */
export class SseDecoder {
  readonly #text = new TextDecoder();
  readonly #parser: EventSourceParser;
  #pending: SseEvent[] = [];
  #comments = 0;
  #overflowed = false;

  constructor(maxEventChars: number = DEFAULT_MAX_EVENT_CHARS) {
    this.#parser = createParser({
      maxBufferSize: maxEventChars,
      onEvent: (message) => {
        this.#pending.push(message);
      },
      onComment: () => {
        this.#comments++;
      },
      onError: (error) => {
        // Only the buffer limit stops the parser; a bad `retry:` field is ignored as browsers do.
        if (error.type === "max-buffer-size-exceeded") this.#overflowed = true;
      },
    });
  }

  /** An event exceeded the limit: the stream cannot be decoded any further. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** Feeds raw bytes; returns the events completed by them. */
  push(bytes: Uint8Array): SseEvent[] {
    if (this.#overflowed) return EMPTY;
    this.#parser.feed(this.#text.decode(bytes, { stream: true }));
    return this.#drain();
  }

  /** Feeds text that is already decoded. */
  pushText(text: string): SseEvent[] {
    if (this.#overflowed) return EMPTY;
    this.#parser.feed(text);
    return this.#drain();
  }

  /** Ends the stream: flushes a trailing event that lacked its blank line, as browsers do not. */
  end(): SseEvent[] {
    if (this.#overflowed) return EMPTY;
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

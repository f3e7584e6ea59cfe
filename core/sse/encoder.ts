import type { SseEvent } from "./event.ts";

const LINE_BREAK = /[\r\n]/;

/**
 * Encodes one event in the canonical framing providers use (`event:` line, then `data:` lines,
 * then a blank line). Rejects names and ids with line breaks, which would forge extra fields.
 */
export function encodeSse(event: SseEvent): string {
  let out = "";
  if (event.event !== undefined) {
    if (LINE_BREAK.test(event.event)) throw new TypeError("SSE event name must not contain a line break");
    out += `event: ${event.event}\n`;
  }
  if (event.id !== undefined) {
    if (LINE_BREAK.test(event.id)) throw new TypeError("SSE id must not contain a line break");
    out += `id: ${event.id}\n`;
  }
  for (const line of event.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** An SSE comment, used for keep-alives on streams whose protocol has no ping event. */
export function encodeSseComment(text: string): string {
  if (LINE_BREAK.test(text)) throw new TypeError("SSE comment must not contain a line break");
  return `: ${text}\n\n`;
}

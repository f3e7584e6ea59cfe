import { type StreamShape, stampedText } from "../lib/shapes.ts";

/** How one API lays out a stream: opening events, one content event per delta, closing events. */
export interface StreamScript {
  opening(): string[];
  content(index: number, text: string): string;
  closing(events: number): string[];
}

const encoder = new TextEncoder();
/** A held stream is closed by the upstream after this long even if the client never leaves. */
const HOLD_LIMIT_MS = 180_000;

/**
 * The SSE body for a shape: back to back in one chunk when the interval is 0, otherwise one
 * chunk per event on a timer (each content event stamped when it is sent). Cancelling the
 * response (client gone) stops the timers.
 */
export function sseBody(script: StreamScript, shape: StreamShape): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string): void => controller.enqueue(encoder.encode(text));
      if (shape.hold) {
        send(script.opening().join(""));
        timer = setTimeout(() => controller.close(), HOLD_LIMIT_MS);
        return;
      }
      if (shape.intervalMs === 0) {
        const parts = script.opening();
        for (let i = 0; i < shape.events; i++) parts.push(script.content(i, stampedText(shape.size)));
        parts.push(...script.closing(shape.events));
        send(parts.join(""));
        controller.close();
        return;
      }
      send(script.opening().join(""));
      let index = 0;
      const tick = (): void => {
        if (index < shape.events) {
          send(script.content(index, stampedText(shape.size)));
          index++;
          timer = setTimeout(tick, shape.intervalMs);
          return;
        }
        send(script.closing(shape.events).join(""));
        controller.close();
      };
      timer = setTimeout(tick, shape.intervalMs);
    },
    cancel() {
      clearTimeout(timer);
    },
  });
}

export function sseEvent(name: string | null, data: unknown): string {
  return `${name ? `event: ${name}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}

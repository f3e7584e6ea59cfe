import type { Clock } from "../ports/clock.ts";
import type { Exchange } from "./exchange.ts";
import { SilenceWatch } from "./silence-watch.ts";

/**
 * Relays a passthrough response body chunk by chunk, aborting the exchange when the upstream
 * stays silent longer than `idleMs` (a stalled body must not hold a connection forever), and
 * aborting it when the client goes away. `onSettled` runs once, however the body ends.
 */
export function idleGuardedBody(
  body: ReadableStream<Uint8Array>,
  exchange: Exchange,
  clock: Clock,
  idleMs: number,
  onSettled: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const watch = new SilenceWatch(clock, null, idleMs, noop, () => exchange.abort("idle-timeout"));
  let settled = false;
  const settle = (): void => {
    if (settled) return;
    settled = true;
    watch.stop();
    onSettled();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      watch.reading();
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          settle();
        } else controller.enqueue(value);
      } catch {
        controller.error(new Error(exchange.describe().message));
        settle();
      } finally {
        watch.pause();
      }
    },
    cancel() {
      exchange.abort("client");
      reader.cancel().catch(() => {});
      settle();
    },
  });
}

const noop = (): void => {};

import type { ApiDefinition } from "../apis/api-definition.ts";
import type { InterceptionTrace } from "../audit/interception-trace.ts";
import type { Limits } from "../config.ts";
import type { Clock } from "../ports/clock.ts";
import { atEventBoundary, nextTail } from "../sse/boundary.ts";
import { SseDecoder } from "../sse/decoder.ts";
import type { SseEvent } from "../sse/event.ts";
import type { Transducer } from "../transducer/transducer.ts";
import type { Exchange } from "./exchange.ts";

export interface RelayOptions {
  readonly body: ReadableStream<Uint8Array>;
  readonly api: ApiDefinition;
  readonly trace: InterceptionTrace;
  readonly exchange: Exchange;
  readonly clock: Clock;
  readonly limits: Limits;
  /** When set, the client gets this transducer's output instead of the upstream bytes. */
  readonly rewrite: Transducer<unknown, SseEvent, string> | null;
  readonly onSettled: () => void;
}

const encoder = new TextEncoder();

/**
 * Relays an upstream SSE body to the client chunk by chunk, as the bytes arrive (pull-based, so
 * a slow client slows the upstream read instead of growing a buffer). The same bytes feed the
 * API's observer for the audit. Sends keep-alives while the upstream is silent, cuts a stream
 * that idles too long or runs past its maximum duration, and ends the trace exactly once.
 */
export function relayStream(options: RelayOptions): ReadableStream<Uint8Array> {
  const { api, trace, exchange, clock, limits, rewrite } = options;
  const reader = options.body.getReader();
  const decoder = new SseDecoder();
  const keepAlive = encoder.encode(api.keepAlive);
  let observed = api.observer.init();
  let rewritten = rewrite?.init();
  let tail = "\n\n";
  let settled = false;
  const cancelMaxDuration = clock.setTimer(limits.maxStreamDurationMs, () => exchange.abort("max-duration"));

  const settle = (): void => {
    if (settled) return;
    settled = true;
    cancelMaxDuration();
    options.onSettled();
  };

  /** Returns how many rewritten pieces reached the client. */
  const consume = (
    events: readonly SseEvent[],
    controller: ReadableStreamDefaultController<Uint8Array>,
  ): number => {
    let emitted = 0;
    for (const event of events) {
      const [next, facts] = api.observer.step(observed, event);
      observed = next;
      if (facts.length > 0) trace.apply(facts);
      if (rewrite) {
        const [state, out] = rewrite.step(rewritten, event);
        rewritten = state;
        for (const text of out) controller.enqueue(encoder.encode(text));
        emitted += out.length;
      }
    }
    return emitted;
  };

  const finish = (controller: ReadableStreamDefaultController<Uint8Array>): void => {
    consume(decoder.end(), controller);
    trace.apply(api.observer.flush(observed));
    if (rewrite) for (const text of rewrite.flush(rewritten)) controller.enqueue(encoder.encode(text));
    if (trace.error !== null) trace.end("upstream_error", 200, trace.error);
    else if (trace.completed) trace.end("completed", 200);
    else trace.end("failed", 200, "the upstream stream ended before its end marker");
    controller.close();
    settle();
  };

  const fail = (controller: ReadableStreamDefaultController<Uint8Array>): void => {
    const cause = exchange.cause;
    if (cause === "client") {
      settle();
      return;
    }
    const error = exchange.describe();
    const status = cause === "idle-timeout" || cause === "max-duration" ? "timeout" : "failed";
    trace.end(status, 200, cause ?? "the upstream connection broke mid-stream");
    if (rewrite || atEventBoundary(tail)) {
      controller.enqueue(encoder.encode(api.streamError(error.message)));
      controller.close();
    } else {
      // Mid-event: anything appended would corrupt the event, so the client sees a broken stream.
      controller.error(new Error(error.message));
    }
    settle();
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // A pull that enqueues nothing is never called again: with a rewrite, a chunk can yield no
      // output (half an event, or an event the rewrite drops), so keep reading until one does.
      for (;;) {
        let silentFor = 0;
        let cancelTimer = (): void => {};
        const tick = (): void => {
          silentFor += limits.pingIntervalMs;
          if (silentFor >= limits.streamIdleTimeoutMs) {
            exchange.abort("idle-timeout");
            return;
          }
          if (rewrite || atEventBoundary(tail)) controller.enqueue(keepAlive);
          cancelTimer = clock.setTimer(
            Math.min(limits.pingIntervalMs, limits.streamIdleTimeoutMs - silentFor),
            tick,
          );
        };
        cancelTimer = clock.setTimer(Math.min(limits.pingIntervalMs, limits.streamIdleTimeoutMs), tick);
        let result: Awaited<ReturnType<typeof reader.read>>;
        try {
          result = await reader.read();
        } catch {
          cancelTimer();
          return fail(controller);
        }
        cancelTimer();
        if (result.done) return finish(controller);
        const chunk = result.value;
        if (!rewrite) {
          controller.enqueue(chunk);
          tail = nextTail(tail, chunk);
        }
        if (consume(decoder.push(chunk), controller) > 0 || !rewrite) return;
      }
    },
    cancel() {
      exchange.abort("client");
      trace.end("client_cancelled", 200, "client disconnected mid-stream; usage is partial");
      reader.cancel().catch(() => {});
      settle();
    },
  });
}

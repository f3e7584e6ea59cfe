import { atEventBoundary, nextTail } from "../sse/boundary.ts";
import { SseDecoder } from "../sse/decoder.ts";
import type { SseEvent } from "../sse/event.ts";
import type { Answer } from "./answer.ts";
import type { AbortCause } from "./exchange.ts";
import { isEventStream } from "./respond.ts";
import { SilenceWatch } from "./silence-watch.ts";

const encoder = new TextEncoder();

/** Sent in-band when a turn's stream ends without the provider's end marker. */
const TRUNCATED = "The upstream stream ended before its end marker.";

/**
 * The streaming turn engine: ONE client stream over one or more upstream turns. Each upstream
 * chunk goes to the client as it arrives (as is, or through `turns.streamStep`), and through the
 * API's observer into the audit. Pull-based: a slow client slows the upstream read instead of
 * growing a buffer. This engine alone owns, for relays and tool loops alike: keep-alives at event
 * boundaries, the idle and max-duration timeouts, in-band errors, the one terminal audit status.
 * When a turn asks for injected tools, they run while keep-alives flow and the next turn's events
 * continue the same client stream.
 */
export function streamTurns(answer: Answer, first: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const { api, trace, exchange, turns } = answer;
  const { clock } = answer.context.ports;
  const limits = answer.context.config.limits;
  const step = turns.streamStep;
  const keepAlive = encoder.encode(api.keepAlive);
  let reader = first.getReader();
  let decoder = new SseDecoder(limits.maxEventBytes);
  let observer = api.observe();
  /** The last bytes relayed as is: whether the client's stream is between two events. */
  let tail = "\n\n";
  let closed = false;
  let controller: ReadableStreamDefaultController<Uint8Array>;

  /** Bytes of our own (keep-alives, errors) may go in only between events. */
  const canInsert = (): boolean => step !== null || atEventBoundary(tail);
  const watch = new SilenceWatch(
    clock,
    limits.pingIntervalMs,
    limits.streamIdleTimeoutMs,
    () => {
      if (!closed && canInsert()) controller.enqueue(keepAlive);
    },
    () => exchange.abort("idle-timeout"),
  );
  const cancelMaxDuration = clock.setTimer(limits.maxStreamDurationMs, () => exchange.abort("max-duration"));

  /** Nothing more goes to the client; the trace was ended by whoever saw the end first. */
  const abandon = (): void => {
    if (closed) return;
    closed = true;
    watch.stop();
    cancelMaxDuration();
    answer.settle();
  };

  const close = (error: string | null): void => {
    if (closed) return;
    if (error !== null) controller.enqueue(encoder.encode(api.streamError(error)));
    controller.close();
    abandon();
  };

  /**
   * Ends the client's stream with an error: in-band between events; mid-event, anything appended
   * would corrupt the event, so the client sees a broken stream instead (never a clean end).
   */
  const fail = (message: string): void => {
    if (closed) return;
    if (canInsert()) close(message);
    else {
      controller.error(new Error(message));
      abandon();
    }
  };

  /** Feeds upstream events to the audit and, when spliced, to the client; returns chunks sent. */
  const consume = (events: readonly SseEvent[]): number => {
    let sent = 0;
    for (const event of events) {
      const facts = observer.step(event);
      if (facts.length > 0) trace.apply(turns.visible(facts));
      if (step === null) continue;
      for (const text of step(event)) {
        controller.enqueue(encoder.encode(text));
        sent++;
      }
    }
    return sent;
  };

  /**
   * The upstream read failed or was stopped: a timeout, shutdown, the client, an oversized event,
   * or a broken connection (which gets its own cause here, and closes the upstream's socket).
   */
  const broken = (): void => {
    exchange.abort("broken");
    const cause = exchange.cause ?? "broken";
    if (cause === "client") {
      abandon();
      return;
    }
    const status =
      cause === "idle-timeout" || cause === "max-duration"
        ? "timeout"
        : cause === "oversized"
          ? "upstream_error"
          : "failed";
    trace.end(status, 200, DETAIL[cause] ?? cause);
    fail(exchange.describe().message);
  };

  /** An event passed `maxEventBytes`: stop reading (the abort closes the upstream's socket). */
  const oversized = (): void => {
    exchange.abort("oversized");
    reader.cancel().catch(() => {});
    broken();
  };

  /** Keep-alives flow while the bridge works between turns. */
  const waiting = async <T>(work: Promise<T>): Promise<T> => {
    watch.waiting();
    try {
      return await work;
    } finally {
      watch.pause();
    }
  };

  /** A turn's stream ended: finish the client's stream, or run the tools and start the next turn. */
  const endTurn = async (): Promise<void> => {
    consume(decoder.end());
    trace.apply(turns.visible(observer.flush()));
    const end = turns.streamEnd();
    for (const text of end.out) controller.enqueue(encoder.encode(text));
    if (trace.error !== null) {
      trace.end("upstream_error", 200, trace.error);
      return close(null);
    }
    if (!end.complete) {
      trace.end("failed", 200, "the upstream stream ended before its end marker");
      return fail(TRUNCATED);
    }
    if (end.run.length === 0) {
      trace.end("completed", 200);
      return close(null);
    }
    answer.toolsRunning = true;
    const results = await waiting(turns.runTools(end.run, exchange.signal));
    answer.toolsRunning = false;
    if (exchange.signal.aborted) {
      if (exchange.cause !== "client") return broken();
      trace.end("client_cancelled", 200, "client disconnected while injected tools ran; usage is partial");
      return abandon();
    }
    const body = turns.nextBody(results);
    if (body === null) {
      trace.end("failed", 200, "could not build the next request");
      return close("Internal error.");
    }
    const result = await waiting(answer.send(body));
    if (!result.ok) {
      if (exchange.cause === "client") return abandon();
      const { error } = result;
      trace.end(error.kind === "timeout" ? "timeout" : "upstream_error", 200, error.message);
      return close(error.message);
    }
    const { response } = result;
    if (!response.ok || !isEventStream(response) || !response.body) {
      const detail = `upstream answered ${response.status} during the tool loop`;
      await response.body?.cancel().catch(() => {});
      // The client already has its 200: the upstream's status goes into the detail.
      trace.end("upstream_error", 200, detail);
      return close(detail);
    }
    reader = response.body.getReader();
    decoder = new SseDecoder(limits.maxEventBytes);
    observer = api.observe();
  };

  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    async pull() {
      // Loop until something went out: a pull that enqueues nothing is not called again (a chunk
      // can hold half an event, or only events the splice drops).
      while (!closed) {
        watch.reading();
        let result: Awaited<ReturnType<typeof reader.read>> | null;
        try {
          result = await reader.read();
        } catch {
          result = null;
        }
        watch.pause();
        if (closed) return; // cancelled while reading: nothing may be sent any more
        if (result === null) return broken();
        if (result.done) {
          await endTurn();
          continue;
        }
        const chunk = result.value;
        if (step === null) {
          controller.enqueue(chunk);
          tail = nextTail(tail, chunk);
        }
        const sent = consume(decoder.push(chunk));
        if (decoder.overflowed) return oversized();
        // Relayed as is, the chunk went out; spliced, only if it completed events that did.
        if (step === null || sent > 0) return;
      }
    },
    cancel() {
      exchange.abort("client");
      // While tools run, the engine records the cancellation once they have stopped.
      if (!answer.toolsRunning)
        trace.end("client_cancelled", 200, "client disconnected mid-stream; usage is partial");
      reader.cancel().catch(() => {});
      abandon();
    },
  });
}

/** The audit's detail for each way a stream can break off. */
const DETAIL: Partial<Record<AbortCause, string>> = {
  broken: "the upstream connection broke mid-stream",
  oversized: "the upstream sent an SSE event larger than limits.max_event_bytes",
};

import { SseDecoder } from "../sse/decoder.ts";
import type { SseEvent } from "../sse/event.ts";
import { runCalls } from "../tools/run-calls.ts";
import { type LoopContext, recordNotRun, visibleFacts } from "./loop-context.ts";
import { isEventStream } from "./respond.ts";

const encoder = new TextEncoder();
type Controller = ReadableStreamDefaultController<Uint8Array>;

/**
 * The streaming tool loop: ONE client stream across upstream turns. Upstream events go through
 * the API's session (which hides injected calls and renumbers what the client sees); when a turn
 * asks for injected tools, they run while keep-alives flow, and the next turn's events continue
 * the same client stream. Pull-based: a slow client slows the upstream read.
 */
export function streamLoop(
  loop: LoopContext,
  first: ReadableStream<Uint8Array>,
  firstBody: string,
): ReadableStream<Uint8Array> {
  const { context, api, trace, exchange, session } = loop;
  const { clock } = context.ports;
  const limits = context.config.limits;
  const keepAlive = encoder.encode(api.keepAlive);
  let reader = first.getReader();
  let decoder = new SseDecoder();
  let observed = api.observer.init();
  let raw = firstBody;
  let rounds = 0;
  let closed = false;
  const cancelMaxDuration = clock.setTimer(limits.maxStreamDurationMs, () => exchange.abort("max-duration"));
  session.beginTurn(true);

  const settle = (): void => {
    cancelMaxDuration();
    loop.settle();
  };

  const close = (controller: Controller, error: string | null): void => {
    if (closed) return;
    closed = true;
    if (error !== null) controller.enqueue(encoder.encode(api.streamError(error)));
    controller.close();
    settle();
  };

  /** Feeds upstream events to the audit and the session; returns how many chunks went out. */
  const consume = (events: readonly SseEvent[], controller: Controller): number => {
    let sent = 0;
    for (const event of events) {
      const [next, facts] = api.observer.step(observed, event);
      observed = next;
      if (facts.length > 0) trace.apply(visibleFacts(facts, loop.injected));
      for (const text of session.streamStep(event)) {
        controller.enqueue(encoder.encode(text));
        sent++;
      }
    }
    return sent;
  };

  /** Keep-alives every ping interval while `work` runs (tool calls, waiting for the next turn). */
  const withPings = async <T>(controller: Controller, work: Promise<T>): Promise<T> => {
    let cancel = (): void => {};
    const tick = (): void => {
      if (!closed) controller.enqueue(keepAlive);
      cancel = clock.setTimer(limits.pingIntervalMs, tick);
    };
    cancel = clock.setTimer(limits.pingIntervalMs, tick);
    try {
      return await work;
    } finally {
      cancel();
    }
  };

  /** One upstream read with keep-alives on silence and the idle timeout. */
  const read = async (controller: Controller): Promise<Awaited<ReturnType<typeof reader.read>> | null> => {
    let silentFor = 0;
    let cancel = (): void => {};
    const tick = (): void => {
      silentFor += limits.pingIntervalMs;
      if (silentFor >= limits.streamIdleTimeoutMs) {
        exchange.abort("idle-timeout");
        return;
      }
      if (!closed) controller.enqueue(keepAlive);
      cancel = clock.setTimer(Math.min(limits.pingIntervalMs, limits.streamIdleTimeoutMs - silentFor), tick);
    };
    cancel = clock.setTimer(Math.min(limits.pingIntervalMs, limits.streamIdleTimeoutMs), tick);
    try {
      return await reader.read();
    } catch {
      return null;
    } finally {
      cancel();
    }
  };

  /** The client went away: nothing more can be sent, the trace was ended by whoever saw it first. */
  const abandon = (): void => {
    if (closed) return;
    closed = true;
    settle();
  };

  const broken = (controller: Controller): void => {
    const cause = exchange.cause;
    if (cause === "client") {
      abandon();
      return;
    }
    const status = cause === "idle-timeout" || cause === "max-duration" ? "timeout" : "failed";
    trace.end(status, 200, cause ?? "the upstream connection broke mid-stream");
    close(controller, exchange.describe().message);
  };

  /** After a turn's stream ended: finish the client stream, or run tools and start the next turn. */
  const nextTurn = async (controller: Controller): Promise<void> => {
    consume(decoder.end(), controller);
    trace.apply(visibleFacts(api.observer.flush(observed), loop.injected));
    const outcome = session.streamEnd();
    recordNotRun(loop, outcome);
    if (trace.error !== null) {
      trace.end("upstream_error", 200, trace.error);
      return close(controller, null);
    }
    if (!outcome.complete) {
      trace.end("failed", 200, "the upstream stream ended before its end marker");
      return close(controller, "The upstream stream ended early.");
    }
    if (outcome.run.length === 0) {
      trace.end("completed", 200);
      return close(controller, null);
    }
    loop.toolsRunning = true;
    const results = await withPings(controller, runCalls(loop.runner, outcome.run, exchange.signal));
    loop.toolsRunning = false;
    if (exchange.signal.aborted) return cancelledDuringTools(controller);
    rounds++;
    trace.endTurn();
    const next = session.nextBody(raw, results);
    if (next === null) {
      trace.end("failed", 200, "could not build the next request");
      return close(controller, "Internal error.");
    }
    raw = next;
    const result = await withPings(controller, loop.send(raw));
    if (!result.ok) {
      if (exchange.cause === "client") return abandon();
      const error = result.error;
      trace.end(error.kind === "timeout" ? "timeout" : "upstream_error", 200, error.message);
      return close(controller, error.message);
    }
    const response = result.response;
    if (!response.ok || !isEventStream(response) || !response.body) {
      const detail = `upstream answered ${response.status} during the tool loop`;
      await response.body?.cancel().catch(() => {});
      // The client already has its 200: the upstream's status goes into the detail.
      trace.end("upstream_error", 200, detail);
      return close(controller, detail);
    }
    reader = response.body.getReader();
    decoder = new SseDecoder();
    observed = api.observer.init();
    session.beginTurn(rounds < loop.limits.maxRounds);
  };

  const cancelledDuringTools = (controller: Controller): void => {
    if (exchange.cause === "client") {
      trace.end("client_cancelled", 200, "client disconnected while injected tools ran; usage is partial");
      abandon();
      return;
    }
    broken(controller);
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Loop until something went out: a pull that enqueues nothing would not be called again.
      while (!closed) {
        const result = await read(controller);
        if (closed) return; // cancelled while reading: nothing may be sent or run any more
        if (result === null) return broken(controller);
        if (result.done) {
          await nextTurn(controller);
          continue;
        }
        if (consume(decoder.push(result.value), controller) > 0) return;
      }
    },
    cancel() {
      exchange.abort("client");
      // While tools run, the loop itself records the cancellation once they have stopped.
      if (!loop.toolsRunning)
        trace.end("client_cancelled", 200, "client disconnected mid-stream; usage is partial");
      reader.cancel().catch(() => {});
      closed = true;
      settle();
    },
  });
}

import type { ApiDefinition } from "../apis/api-definition.ts";
import type { InterceptionTrace } from "../audit/interception-trace.ts";
import type { GatewayError } from "../errors.ts";
import type { CircuitBreaker } from "../resilience/circuit-breaker.ts";
import { sendAttempts } from "./attempts.ts";
import type { ProxyContext } from "./context.ts";
import { type CallResult, Exchange } from "./exchange.ts";
import { exchangeFailure } from "./respond.ts";
import type { Turns } from "./turns.ts";

/**
 * One client request's answer, across however many upstream turns it takes: the trace, the one
 * exchange (client disconnect and shutdown wired once), and how each turn is sent and timed.
 * The turn engines (`stream-turns.ts`, `blocking-turns.ts`) drive it; `turns` decides the content.
 */
export class Answer {
  readonly context: ProxyContext;
  readonly api: ApiDefinition;
  readonly trace: InterceptionTrace;
  readonly turns: Turns;
  readonly exchange: Exchange;
  /** The client asked for a stream: each turn gets a first-byte timeout instead of a deadline. */
  readonly stream: boolean;
  /** True while injected tools run: a disconnect is then recorded once they have stopped. */
  toolsRunning = false;
  #sentAt = 0;
  #cancelDeadline: (() => void) | null = null;
  readonly #breaker: CircuitBreaker | null;
  /** Admitted as the half-open breaker's probe, and the probe not sent yet. */
  #probe: boolean;

  constructor(
    context: ProxyContext,
    api: ApiDefinition,
    trace: InterceptionTrace,
    turns: Turns,
    stream: boolean,
    breaker: { readonly breaker: CircuitBreaker | null; readonly probe: boolean } = {
      breaker: null,
      probe: false,
    },
  ) {
    this.context = context;
    this.api = api;
    this.trace = trace;
    this.turns = turns;
    this.stream = stream;
    this.#breaker = breaker.breaker;
    this.#probe = breaker.probe;
    this.exchange = Exchange.open(context.request, context.track, () => {
      if (!this.toolsRunning) trace.end("client_cancelled", 499, "client disconnected; usage is partial");
    });
  }

  /**
   * Sends one upstream turn with this body (the client's URL and headers), retried per the
   * instance's policy while nothing of it reached the client (`attempts.ts`). Streaming: the wait
   * for headers, retries included, has the first-byte timeout. Blocking: one deadline covers
   * every attempt, headers and body; the blocking engine ends it with `deadline()`.
   */
  async send(body: BodyInit): Promise<CallResult> {
    const { ports, config, provider } = this.context;
    this.#sentAt = ports.clock.now();
    if (!this.stream)
      this.#cancelDeadline = ports.clock.setTimer(config.limits.blockingTimeoutMs, () =>
        this.exchange.abort("blocking-timeout"),
      );
    const probe = this.#probe;
    this.#probe = false;
    const result = await sendAttempts(
      {
        context: this.context,
        exchange: this.exchange,
        trace: this.trace,
        retry: provider.retry ?? null,
        breaker: this.#breaker,
        probe,
        firstByteTimeoutMs: this.stream ? config.limits.firstByteTimeoutMs : null,
        budgetMs: config.limits.firstByteTimeoutMs,
      },
      body,
    );
    if (!this.stream && !result.ok) this.clearDeadline();
    return result;
  }

  /**
   * The deadline for reading a turn's body in full, returned as its cancel function: the one set
   * when the turn was sent, or (a stream answered with a plain body) what is left of the blocking
   * limit counted from the send, since the wait for the headers used part of it.
   */
  deadline(): () => void {
    const armed = this.#cancelDeadline;
    this.#cancelDeadline = null;
    if (armed) return armed;
    const { ports, config } = this.context;
    const remaining = Math.max(0, config.limits.blockingTimeoutMs - (ports.clock.now() - this.#sentAt));
    return ports.clock.setTimer(remaining, () => this.exchange.abort("blocking-timeout"));
  }

  /** A blocking request answered with a stream: the stream's own timeouts apply instead. */
  clearDeadline(): void {
    this.#cancelDeadline?.();
    this.#cancelDeadline = null;
  }

  /** Ends the trace for a failed exchange (if still open) and renders the error in the API's shape. */
  fail(error: GatewayError): Response {
    return exchangeFailure(this.trace, error, this.api.renderError, this.context.requestId);
  }

  /** The answer is over, however it ended. */
  settle(): void {
    // A probe that was never sent says nothing: the next request may probe instead.
    if (this.#probe) this.#breaker?.record("neutral", true);
    this.#probe = false;
    this.clearDeadline();
    this.exchange.close();
  }
}

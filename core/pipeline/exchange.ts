import { type GatewayError, gatewayError } from "../errors.ts";
import type { Clock } from "../ports/clock.ts";
import type { Upstream } from "../ports/upstream.ts";

/** Why an upstream call was aborted; decides the audit status and the client's error. */
export type AbortCause =
  | "client"
  | "first-byte-timeout"
  | "blocking-timeout"
  | "idle-timeout"
  | "max-duration"
  /** The upstream's answer passed a size limit (an SSE event, a blocking body). */
  | "oversized"
  /** The upstream's stream broke off (reset, or an error reading it) after its headers. */
  | "broken"
  | "shutdown";

export type CallResult =
  | { readonly ok: true; readonly response: Response }
  | { readonly ok: false; readonly cause: AbortCause | null; readonly error: GatewayError };

/**
 * One upstream exchange: owns the AbortController that client disconnects, timeouts and
 * shutdown all go through, and remembers the first cause so callers can report it. `open` wires
 * the client's disconnect and the bridge's shutdown to it; `close` undoes that, once.
 */
export class Exchange {
  readonly #controller = new AbortController();
  #cause: AbortCause | null = null;
  #close: () => void = noop;

  /**
   * An exchange for one client request: the client's disconnect aborts it with cause "client"
   * (then `onClientAbort` runs, e.g. to record the cancellation), shutdown with "shutdown".
   */
  static open(
    request: Request,
    track: (abort: () => void) => () => void,
    onClientAbort: (exchange: Exchange) => void = noop,
  ): Exchange {
    const exchange = new Exchange();
    const onAbort = (): void => {
      exchange.abort("client");
      onClientAbort(exchange);
    };
    request.signal.addEventListener("abort", onAbort, { once: true });
    const untrack = track(() => exchange.abort("shutdown"));
    exchange.#close = () => {
      exchange.#close = noop;
      untrack();
      request.signal.removeEventListener("abort", onAbort);
    };
    return exchange;
  }

  /** The exchange is over (however it ended): stop listening for disconnect and shutdown. */
  close(): void {
    this.#close();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }
  get cause(): AbortCause | null {
    return this.#cause;
  }

  abort(cause: AbortCause): void {
    if (this.#cause !== null) return;
    this.#cause = cause;
    this.#controller.abort(cause);
  }

  /**
   * Calls the upstream; `timeoutMs` bounds the wait for response headers (null: the caller holds
   * a deadline of its own for the whole exchange).
   */
  async call(
    upstream: Upstream,
    request: Request,
    clock: Clock,
    timeoutMs: number | null,
    cause: AbortCause,
  ): Promise<CallResult> {
    const cancel = timeoutMs === null ? noop : clock.setTimer(timeoutMs, () => this.abort(cause));
    try {
      return { ok: true, response: await upstream(request) };
    } catch {
      return { ok: false, cause: this.#cause, error: this.describe() };
    } finally {
      cancel();
    }
  }

  /** The client-facing error for the current abort cause (or an unreachable upstream). */
  describe(): GatewayError {
    switch (this.#cause) {
      case "first-byte-timeout":
        return gatewayError("timeout", "The upstream did not start answering in time.");
      case "blocking-timeout":
        return gatewayError("timeout", "The upstream did not finish answering in time.");
      case "idle-timeout":
        return gatewayError("timeout", "The upstream stream went silent for too long.");
      case "max-duration":
        return gatewayError("timeout", "The stream reached its maximum duration.");
      case "oversized":
        return gatewayError("bad_gateway", "The upstream's answer exceeded the bridge's size limit.");
      case "broken":
        return gatewayError("bad_gateway", "The upstream connection broke mid-answer.");
      case "shutdown":
        return gatewayError("unavailable", "The bridge is shutting down.");
      case "client":
        return gatewayError("invalid_request", "The client closed the request.");
      case null:
        return gatewayError("bad_gateway", "The upstream could not be reached.");
    }
  }
}

const noop = (): void => {};

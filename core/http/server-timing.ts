import type { Clock } from "../ports/clock.ts";
import { REQUEST_ID_HEADER } from "./headers.ts";

/**
 * Where one request's time went, for its `Server-Timing` header: the bridge's own time and the
 * time spent waiting on the upstream. Measured to the moment the response's headers go out, so
 * for a stream `upstream` is the wait for the upstream's headers (the body follows later).
 */
export class RequestTiming {
  readonly #now: () => number;
  readonly started: number;
  /** Waits on the upstream so far: headers of every attempt and turn, and blocking bodies. */
  #upstreamMs = 0;

  constructor(clock: Clock) {
    this.#now = clock.precise ? () => clock.precise!() : () => clock.now();
    this.started = this.#now();
  }

  now(): number {
    return this.#now();
  }

  /** Adds a wait on the upstream that began at `from` (a `now()` reading) and ends now; returns it. */
  waitedSince(from: number): number {
    const waited = this.#now() - from;
    this.#upstreamMs += waited;
    return waited;
  }

  /** Milliseconds since the request arrived. */
  elapsed(): number {
    return this.#now() - this.started;
  }

  /** `causeway;dur=…, upstream;dur=…` in ms: the bridge's own time (elapsed minus upstream) first. */
  header(): string {
    const total = this.elapsed();
    const upstream = Math.min(this.#upstreamMs, total);
    return `causeway;dur=${ms(total - upstream)}, upstream;dur=${ms(upstream)}`;
  }
}

/** Two decimals: sub-millisecond overhead is what the bridge's own figure is about. */
function ms(value: number): string {
  return (Math.round(value * 100) / 100).toString();
}

/**
 * Sets `Server-Timing` and the request id on a response about to leave. Responses the bridge built
 * have mutable headers; one whose headers are frozen (a Response passed through as fetched) is
 * re-wrapped around the same body, which is not read.
 */
export function withTiming(response: Response, requestId: string, timing: RequestTiming): Response {
  // An upstream's own entries (relayed only when an operator allows them) follow the bridge's.
  const relayed = response.headers.get("server-timing");
  const value = relayed ? `${timing.header()}, ${relayed}` : timing.header();
  try {
    response.headers.set("server-timing", value);
    if (!response.headers.has(REQUEST_ID_HEADER)) response.headers.set(REQUEST_ID_HEADER, requestId);
    return response;
  } catch {
    const headers = new Headers(response.headers);
    headers.set("server-timing", value);
    if (!headers.has(REQUEST_ID_HEADER)) headers.set(REQUEST_ID_HEADER, requestId);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}

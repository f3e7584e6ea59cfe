import type { AuthMethod } from "./auth.ts";
import type { InterceptionStart, InterceptionStatus, TokenUsage } from "./recorder.ts";

/**
 * What the bridge reports for operators beside the audit: the facts behind metrics and traces.
 * The core says what happened; adapters turn it into Prometheus series and OpenTelemetry spans
 * (`adapters/telemetry/`). Every method runs on the request path: implementations update memory
 * (or hand spans to a batching exporter) and never throw. Without one, `NO_OBSERVER` costs a call.
 */
export interface Observer {
  /**
   * An intercepted request was admitted and its start recorded. `traceparent` is the client's W3C
   * trace context header, if it sent one: the interception's span continues that trace.
   */
  interception(start: InterceptionStart, traceparent: string | null): InterceptionObserver;
  /** A passthrough request ended (its response body too, or the failure that ended it). */
  passthrough(event: PassthroughEvent): void;
  /** A credential was checked (every request past routing that needs one). */
  authentication(event: AuthEvent): void;
}

/**
 * How a credential check ended: `accepted` (by `method`), `refused` (none sent, or not accepted:
 * a 401), or `unavailable` (the store or identity provider did not answer: a 503).
 */
export interface AuthEvent {
  readonly outcome: "accepted" | "refused" | "unavailable";
  /** The method that accepted it; null otherwise (or for a principal that does not say). */
  readonly method: AuthMethod | null;
}

/** One interception, from its start to its single end. */
export interface InterceptionObserver {
  /**
   * One request to the upstream starts now: an attempt of turn `turn` (retries and tool-loop turns
   * each get their own). The core ends every call once, before the interception's `end`: when it
   * fails before any response, when the next attempt of its turn starts, or when its turn ends.
   */
  upstreamCall(turn: number): UpstreamCallObserver;
  /** An injected tool call ended (or was refused without running: `durationMs` null). */
  toolCall(call: ToolCallEvent): void;
  /** The interception's terminal status was recorded; nothing follows. */
  end(summary: InterceptionSummary): void;
}

/** One upstream request of an interception. */
export interface UpstreamCallObserver {
  /** The W3C `traceparent` to send upstream for this call; null when not tracing (the client's own then passes through). */
  readonly traceparent: string | null;
  /** The upstream's response headers arrived with this status, after `ms` (send to headers). */
  responded(status: number, ms: number): void;
  /** The call ends: with the turn's usage when it was the turn's last attempt, or with why it failed. */
  end(outcome: { readonly tokens?: TokenUsage; readonly error?: string }): void;
}

export interface ToolCallEvent {
  /** The MCP server that holds the tool (null: a name the catalog does not know). */
  readonly server: string | null;
  /** The tool's own name on its server. */
  readonly name: string;
  readonly callId: string;
  /** Why it failed, or null. */
  readonly error: string | null;
  /** How long it ran; null when the bridge refused to run it. */
  readonly durationMs: number | null;
}

export interface InterceptionSummary {
  readonly status: InterceptionStatus;
  readonly httpStatus: number;
  /** Why it ended this way (never secrets); null for a plain completion. */
  readonly detail: string | null;
  /** From the request's arrival to the terminal status. */
  readonly durationMs: number;
  /** From the request's arrival to the first upstream response headers; null if none came. */
  readonly ttfbMs: number | null;
  /** Summed over the interception's turns, in Causeway's convention (docs/tokens.md). */
  readonly tokens: TokenUsage;
  /** Requests sent upstream, retries and tool-loop turns included. */
  readonly attempts: number;
  /** The model the upstream said answered (it may differ from the one requested); null if unseen. */
  readonly responseModel: string | null;
}

export interface PassthroughEvent {
  readonly provider: string;
  /** The route as a template (`/v1/models/{id}`): bounded, never a raw id. */
  readonly route: string;
  readonly method: string;
  /** The status the client got (the upstream's, or the bridge's own error). */
  readonly status: number;
  readonly durationMs: number;
}

const NO_CALL: UpstreamCallObserver = { traceparent: null, responded() {}, end() {} };
const NO_INTERCEPTION: InterceptionObserver = {
  upstreamCall: () => NO_CALL,
  toolCall() {},
  end() {},
};

/** Observes nothing: the default when no metrics or tracing are configured. */
export const NO_OBSERVER: Observer = {
  interception: () => NO_INTERCEPTION,
  passthrough() {},
  authentication() {},
};

/** What a MemoryObserver saw, in order. */
export type ObservedEvent =
  | { readonly type: "interception"; readonly id: string; readonly traceparent: string | null }
  | {
      readonly type: "upstream-call";
      readonly id: string;
      readonly turn: number;
      readonly traceparent: string;
    }
  | { readonly type: "responded"; readonly id: string; readonly turn: number; readonly status: number }
  | {
      readonly type: "upstream-end";
      readonly id: string;
      readonly turn: number;
      readonly tokens?: TokenUsage;
      readonly error?: string;
    }
  | ({ readonly type: "tool-call"; readonly id: string } & ToolCallEvent)
  | ({ readonly type: "end"; readonly id: string } & InterceptionSummary)
  | ({ readonly type: "passthrough" } & PassthroughEvent)
  | ({ readonly type: "authentication" } & AuthEvent);

/** Keeps every event in memory; each upstream call gets a traceparent naming it (span id = its number). */
export class MemoryObserver implements Observer {
  readonly events: ObservedEvent[] = [];
  #calls = 0;

  interception(start: InterceptionStart, traceparent: string | null): InterceptionObserver {
    const { id } = start;
    const events = this.events;
    events.push({ type: "interception", id, traceparent });
    return {
      upstreamCall: (turn) => {
        const span = (++this.#calls).toString(16).padStart(16, "0");
        const callTrace = `00-${"0".repeat(31)}1-${span}-01`;
        events.push({ type: "upstream-call", id, turn, traceparent: callTrace });
        return {
          traceparent: callTrace,
          responded: (status) => events.push({ type: "responded", id, turn, status }),
          end: (outcome) => events.push({ type: "upstream-end", id, turn, ...outcome }),
        };
      },
      toolCall: (call) => events.push({ type: "tool-call", id, ...call }),
      end: (summary) => events.push({ type: "end", id, ...summary }),
    };
  }

  passthrough(event: PassthroughEvent): void {
    this.events.push({ type: "passthrough", ...event });
  }

  authentication(event: AuthEvent): void {
    this.events.push({ type: "authentication", ...event });
  }

  of<T extends ObservedEvent["type"]>(type: T): Extract<ObservedEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<ObservedEvent, { type: T }> => e.type === type);
  }
}

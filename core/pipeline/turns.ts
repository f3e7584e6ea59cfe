import type { InterceptionTrace } from "../audit/interception-trace.ts";
import type { ResponseFact } from "../audit/response-fact.ts";
import type { SseEvent } from "../sse/event.ts";
import type { ToolCall, ToolCallResult } from "../tools/contract.ts";
import type { Transducer } from "../transducer/transducer.ts";

/** How one upstream turn ended, as the turn engines need to know it. */
export interface TurnEnd {
  /** Streaming: text the client is still owed for this turn. */
  readonly out: readonly string[];
  /** The provider's end marker arrived. */
  readonly complete: boolean;
  /** Injected calls to run before another turn; empty: the answer is complete. */
  readonly run: readonly ToolCall[];
  /** Blocking: the client's body; null: the upstream's bytes as they came. */
  readonly body: string | null;
}

/**
 * What decides an answer's turns, for the turn engines (`stream-turns.ts`, `blocking-turns.ts`):
 * the plain relay has exactly one (`relayTurn` below); the tool loop (`tool-turns.ts`) decides
 * after each whether another follows. Everything else (timeouts, keep-alives, errors, the audit's
 * terminal status) belongs to the engines and is the same for both.
 */
export interface Turns {
  /** Streaming: the client's text for one upstream event; null: the client gets the upstream bytes. */
  readonly streamStep: ((event: SseEvent) => readonly string[]) | null;
  /** Audit facts as the trace records them (the tool loop leaves injected calls to its runner). */
  visible(facts: readonly ResponseFact[]): readonly ResponseFact[];
  /** Streaming: this turn's upstream stream ended. */
  streamEnd(): TurnEnd;
  /** Blocking: this turn's upstream JSON body. */
  blockingEnd(json: unknown): TurnEnd;
  /** Runs the injected calls of a turn; `signal` (client gone, shutdown) stops them. */
  runTools(calls: readonly ToolCall[], signal: AbortSignal): Promise<readonly ToolCallResult[]>;
  /** The next turn's request body with these results; null when it cannot be built. */
  nextBody(results: readonly ToolCallResult[]): string | null;
}

const NO_CALLS: readonly ToolCall[] = [];
const NOTHING: readonly string[] = [];
const BLOCKING_END: TurnEnd = { out: NOTHING, complete: true, run: NO_CALLS, body: null };
// Shared by every relayed request: only what depends on the request is made per request.
const allFacts = (facts: readonly ResponseFact[]): readonly ResponseFact[] => facts;
const blockingEnd = (): TurnEnd => BLOCKING_END;
// Never asked for: a relayed turn has no calls to run.
const noTools = async (): Promise<readonly ToolCallResult[]> => [];
const noNextBody = (): null => null;

/**
 * The plain relay: one turn, bytes as the upstream sent them, or through `rewrite` when the bridge
 * changed the request (e.g. asked for usage the client did not want to see).
 */
export function relayTurn(trace: InterceptionTrace, rewrite: Transducer<SseEvent, string> | null): Turns {
  return {
    streamStep: rewrite ? (event) => rewrite.step(event) : null,
    visible: allFacts,
    streamEnd: () => ({
      out: rewrite ? rewrite.flush() : NOTHING,
      complete: trace.completed,
      run: NO_CALLS,
      body: null,
    }),
    blockingEnd,
    runTools: noTools,
    nextBody: noNextBody,
  };
}

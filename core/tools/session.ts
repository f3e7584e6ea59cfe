import type { SseEvent } from "../sse/event.ts";
import type { Transducer } from "../transducer/transducer.ts";
import type { ToolCallResult, ToolLoopSession, TurnOutcome } from "./contract.ts";

/**
 * Splices one streamed upstream turn after another into the client's single stream: a transducer
 * from upstream events to the client's SSE text whose `flush` says how the turn ended.
 */
export interface StreamSplicer<Turn> extends Transducer<SseEvent, string, TurnOutcome> {
  beginTurn(canContinue: boolean): void;
  /** The assistant's side of the turn that just ended, as the next request needs it. */
  lastTurn(): Turn;
}

/** Merges blocking upstream turns into the client's single answer. */
export interface BlockingMerger<Turn> {
  beginTurn(canContinue: boolean): void;
  turn(body: unknown): TurnOutcome;
  body(): string | null;
  lastTurn(): Turn;
}

/**
 * The session every API's tool loop has: both halves follow the turns, whichever mode the
 * request turns out to use, and `continueWith` builds the next request from the last turn.
 */
export function composeSession<Turn>(
  stream: StreamSplicer<Turn>,
  blocking: BlockingMerger<Turn>,
  continueWith: (raw: string, turn: Turn, results: readonly ToolCallResult[]) => string | null,
): ToolLoopSession {
  let streaming = false;
  return {
    beginTurn(canContinue) {
      stream.beginTurn(canContinue);
      blocking.beginTurn(canContinue);
    },
    streamStep(event) {
      streaming = true;
      return stream.step(event);
    },
    streamEnd: () => stream.flush(),
    blockingTurn: (body) => blocking.turn(body),
    blockingBody: () => blocking.body(),
    nextBody: (raw, results) =>
      continueWith(raw, streaming ? stream.lastTurn() : blocking.lastTurn(), results),
  };
}

/** Names of the tools a client declared itself, read with the API's own tool shape. */
export function declaredToolNames(
  tools: unknown,
  nameOf: (tool: unknown) => string | undefined,
): Set<string> {
  const names = new Set<string>();
  if (Array.isArray(tools))
    for (const tool of tools) {
      const name = nameOf(tool);
      if (name) names.add(name);
    }
  return names;
}

/** OpenAI's `tool_choice: "required"` forces a call every turn: after a round it becomes "auto". */
export const requiredToAuto = (value: unknown): string | null => (value === "required" ? '"auto"' : null);

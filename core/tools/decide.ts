import { MIXED_TURN_REASON, ROUND_CAP_REASON, type ToolCall, type TurnOutcome } from "./contract.ts";

export interface Decision {
  readonly proceed: boolean;
  /** The round cap ended the answer: the client gets the stop note and a normal stop. */
  readonly capped: boolean;
  readonly notRun: TurnOutcome["notRun"];
}

/**
 * The loop rule, the same for every API. Run the injected calls and call the model again only
 * when the turn stopped for tool use (`toolStop`) and called no client tool. In a mixed turn the
 * injected calls are NOT run (their results could never reach the model: the client owns the
 * conversation); the client gets its own calls, and the model may call the injected tools again
 * in the next request. `stopReason` only words the audit note.
 */
export function decide(
  calls: readonly ToolCall[],
  clientCalls: number,
  toolStop: boolean,
  stopReason: string | null,
  canContinue: boolean,
): Decision {
  if (calls.length === 0) return { proceed: false, capped: false, notRun: [] };
  const skip = (reason: string) => calls.map((call) => ({ call, reason }));
  if (clientCalls > 0) return { proceed: false, capped: false, notRun: skip(MIXED_TURN_REASON) };
  if (!toolStop)
    return { proceed: false, capped: false, notRun: skip(`not run: the turn ended with ${stopReason}`) };
  if (!canContinue) return { proceed: false, capped: true, notRun: skip(ROUND_CAP_REASON) };
  return { proceed: true, capped: false, notRun: [] };
}

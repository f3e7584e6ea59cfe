import type { ApiDefinition } from "../apis/api-definition.ts";
import type { InterceptionTrace } from "../audit/interception-trace.ts";
import type { ResponseFact } from "../audit/response-fact.ts";
import type { GatewayError } from "../errors.ts";
import type { ToolLoopLimits } from "../ports/tool-provider.ts";
import type { ToolLoopSession, TurnOutcome } from "../tools/contract.ts";
import type { CallRunner } from "../tools/run-calls.ts";
import type { ProxyContext } from "./context.ts";
import type { CallResult, Exchange } from "./exchange.ts";
import { exchangeFailure } from "./respond.ts";

/** Everything the streaming and blocking loop drivers share for one client request. */
export interface LoopContext {
  readonly context: ProxyContext;
  readonly api: ApiDefinition;
  readonly trace: InterceptionTrace;
  readonly exchange: Exchange;
  readonly session: ToolLoopSession;
  readonly runner: CallRunner;
  readonly limits: ToolLoopLimits;
  readonly injected: ReadonlySet<string>;
  /** Sends one upstream turn with this body (same URL and headers as the client's request). */
  send(body: string): Promise<CallResult>;
  /** When the current turn was sent: a blocking turn's limit covers headers and body together. */
  sentAt: number;
  /** True while injected tools run: a disconnect then lets the loop record the cancellation. */
  toolsRunning: boolean;
  settle(): void;
}

/** Audit facts minus the injected calls: those are recorded by the runner, as injected. */
export function visibleFacts(
  facts: readonly ResponseFact[],
  injected: ReadonlySet<string>,
): readonly ResponseFact[] {
  if (!facts.some((fact) => fact.kind === "tool-call" && injected.has(fact.name))) return facts;
  return facts.filter((fact) => !(fact.kind === "tool-call" && injected.has(fact.name)));
}

/** Injected calls the model made but the bridge did not run still appear in the audit. */
export function recordNotRun(loop: LoopContext, outcome: TurnOutcome): void {
  for (const { call, reason } of outcome.notRun) {
    const tool = loop.runner.catalog.byName.get(call.name);
    loop.trace.toolCall({
      name: tool?.definition.name ?? call.name,
      callId: call.id,
      args: call.args,
      injected: true,
      server: tool?.definition.server ?? null,
      error: reason,
      durationMs: null,
    });
  }
}

/** Ends the trace for a failed upstream call and renders the error in the API's shape. */
export function failure(loop: LoopContext, error: GatewayError): Response {
  return exchangeFailure(loop.trace, error, loop.api.renderError, loop.context.requestId);
}

import type { InterceptionTrace } from "../audit/interception-trace.ts";
import type { ResponseFact } from "../audit/response-fact.ts";
import type { JsonObject } from "../http/body.ts";
import { DEFAULT_TOOL_LOOP_LIMITS, type ToolDefinition, type ToolProvider } from "../ports/tool-provider.ts";
import { buildCatalog } from "../tools/catalog.ts";
import type { ToolLoopSupport, TurnOutcome } from "../tools/contract.ts";
import { auditInjectedCall, type CallRunner, runCalls } from "../tools/run-calls.ts";
import type { ProxyContext } from "./context.ts";
import type { TurnEnd, Turns } from "./turns.ts";

export interface ParsedRequest {
  readonly text: string;
  readonly json: JsonObject;
}

/** The tool loop's turns and the first turn's body (the client's, with the injected tools). */
export interface ToolTurns {
  readonly turns: Turns;
  readonly body: string;
}

/**
 * The turns of a request with injected MCP tools: the API's session splices upstream turns into
 * one client answer (hiding the injected calls) and builds each next request; the calls run
 * through the tool provider. Null when the provider offers no tools to this principal: the
 * request then takes the plain relay, untouched.
 */
export async function toolTurns(
  context: ProxyContext,
  support: ToolLoopSupport,
  provider: ToolProvider,
  trace: InterceptionTrace,
  request: ParsedRequest,
): Promise<ToolTurns | null> {
  let definitions: readonly ToolDefinition[];
  try {
    definitions = await provider.listTools(context.principal);
  } catch (error) {
    context.logger.warn("tool listing failed; forwarding without injected tools", {
      requestId: context.requestId,
      error: String(error),
    });
    return null;
  }
  if (definitions.length === 0) return null;
  const catalog = buildCatalog(definitions, support.clientToolNames(request.json));
  const body =
    catalog.tools.length === 0 ? null : support.injectTools(request.text, request.json, catalog.tools);
  if (body === null) return null;

  const limits = { ...DEFAULT_TOOL_LOOP_LIMITS, ...provider.limits };
  const injected = new Set(catalog.byName.keys());
  const runner: CallRunner = {
    provider,
    principal: context.principal,
    catalog,
    trace,
    clock: context.ports.clock,
    limits,
  };
  const session = support.createSession({
    request: request.json,
    injected,
    stopNote: `[Causeway stopped the answer here: the model asked for more than ${limits.maxRounds} rounds of tool calls.]`,
  });
  let raw = body;
  let rounds = 0;
  session.beginTurn(rounds < limits.maxRounds);

  /** Injected calls the model made but the bridge did not run still appear in the audit. */
  const settleTurn = (outcome: TurnOutcome, body: string | null): TurnEnd => {
    for (const { call, reason } of outcome.notRun) auditInjectedCall(runner, call, reason, null);
    return { out: [], complete: outcome.complete, run: outcome.run, body };
  };

  const turns: Turns = {
    streamStep: (event) => session.streamStep(event),
    visible: (facts) => visibleFacts(facts, injected),
    streamEnd: () => settleTurn(session.streamEnd(), null),
    blockingEnd(json) {
      const outcome = session.blockingTurn(json);
      return settleTurn(outcome, outcome.run.length === 0 ? session.blockingBody() : null);
    },
    runTools: (calls, signal) => runCalls(runner, calls, signal),
    nextBody(results) {
      rounds++;
      trace.endTurn();
      const next = session.nextBody(raw, results);
      if (next === null) return null;
      raw = next;
      session.beginTurn(rounds < limits.maxRounds);
      return next;
    },
  };
  return { turns, body };
}

/** Audit facts minus the injected calls: those are recorded by the runner, as injected. */
function visibleFacts(
  facts: readonly ResponseFact[],
  injected: ReadonlySet<string>,
): readonly ResponseFact[] {
  if (!facts.some((fact) => fact.kind === "tool-call" && injected.has(fact.name))) return facts;
  return facts.filter((fact) => !(fact.kind === "tool-call" && injected.has(fact.name)));
}

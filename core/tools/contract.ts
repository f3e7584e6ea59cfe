import type { JsonObject } from "../http/body.ts";
import type { ToolResultContent } from "../ports/tool-provider.ts";
import type { SseEvent } from "../sse/event.ts";
import type { InjectedTool } from "./catalog.ts";

/** A tool call the model made, as the API reported it. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  /** Arguments as JSON text, as the model sent them. */
  readonly args: string;
}

/** What goes back to the model for one injected call. */
export interface ToolCallResult {
  readonly call: ToolCall;
  readonly content: readonly ToolResultContent[];
  readonly isError: boolean;
}

/**
 * How one upstream turn ended. `run` non-empty: the bridge runs those injected calls and calls the
 * model again. Otherwise the client's answer is complete; `notRun` lists injected calls the model
 * made that the bridge did not run (mixed turns, the round cap), for the audit.
 */
export interface TurnOutcome {
  readonly run: readonly ToolCall[];
  readonly notRun: readonly { readonly call: ToolCall; readonly reason: string }[];
  /** The provider's end marker arrived for this turn. */
  readonly complete: boolean;
}

/**
 * One client request's view across turns: splices upstream turns into one client response and
 * builds each next request. Created per request, so it may keep state.
 */
export interface ToolLoopSession {
  /** Called before each upstream turn; false once the round cap is reached. */
  beginTurn(canContinue: boolean): void;
  /** Streaming: one upstream event in, the client's SSE text out. */
  streamStep(event: SseEvent): readonly string[];
  /** Streaming: the upstream stream of the current turn ended. */
  streamEnd(): TurnOutcome;
  /** Blocking: one upstream JSON body. */
  blockingTurn(body: unknown): TurnOutcome;
  /** Blocking: the client's body after the last turn; null when the last upstream body can go as is. */
  blockingBody(): string | null;
  /** The next request: `raw` plus the assistant's turn and the tool results, in the API's format. */
  nextBody(raw: string, results: readonly ToolCallResult[]): string | null;
}

/** The per-API part of the tool loop (`core/apis/<api>/tool-loop.ts`). */
export interface ToolLoopSupport {
  /** Names of the tools the client declared itself. */
  clientToolNames(body: JsonObject): ReadonlySet<string>;
  /** The raw body with the injected tools added; byte-identical output for identical input. */
  injectTools(raw: string, body: JsonObject, tools: readonly InjectedTool[]): string | null;
  createSession(options: SessionOptions): ToolLoopSession;
}

export interface SessionOptions {
  /** The client's request, for the flags that shape the answer (e.g. whether it asked for usage). */
  readonly request: JsonObject;
  /** Names of the tools injected into this request. */
  readonly injected: ReadonlySet<string>;
  /** The text shown to the user when the round cap ends the answer. */
  readonly stopNote: string;
}

export const MIXED_TURN_REASON =
  "not run: the same turn also called client tools, which were returned to the client";
export const ROUND_CAP_REASON = "not run: the tool round limit was reached";

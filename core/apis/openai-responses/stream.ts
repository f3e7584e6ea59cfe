import type { ResponseFact } from "../../audit/response-fact.ts";
import { asObject, asString, parseJsonSafe } from "../../json/loose.ts";
import type { SseEvent } from "../../sse/event.ts";
import type { Transducer } from "../../transducer/transducer.ts";
import { openaiErrorDetail } from "../openai-shared/error-detail.ts";
import { failure } from "./errors.ts";
import { itemFacts, itemKey } from "./output-items.ts";
import { responseUsage } from "./usage.ts";

export interface ResponsesObserverState {
  /** Items already reported from `output_item.done`, so the final response does not repeat them. */
  readonly reported: Set<string>;
}

/** The only event types the audit reads; every other event (deltas included) is left unparsed. */
const WATCHED = new Set([
  "response.output_item.done",
  "response.completed",
  "response.incomplete",
  "response.failed",
  "error",
]);

const NONE: readonly ResponseFact[] = [];

/**
 * Observes a Responses stream for the audit. Tool calls and reasoning summaries come from each
 * `response.output_item.done` (and from the final response for any item a stream skipped);
 * usage from the terminal response. `response.completed` and `response.incomplete` (a response
 * cut short by max_output_tokens or a content filter is still a finished response) end it;
 * `response.failed` and `error` are upstream errors. A stream that just stops is `failed`.
 */
export const responsesObserver: Transducer<ResponsesObserverState, SseEvent, ResponseFact> = {
  init: () => ({ reported: new Set() }),
  step(state, event) {
    if (event.event !== undefined && !WATCHED.has(event.event)) return [state, NONE];
    const payload = asObject(parseJsonSafe(event.data));
    const type = asString(payload?.type) ?? event.event;
    if (!payload || type === undefined || !WATCHED.has(type)) return [state, NONE];
    switch (type) {
      case "response.output_item.done":
        return [state, report(state, payload.item)];
      case "error":
        return [state, [{ kind: "error", detail: openaiErrorDetail(payload) }]];
      default:
        return [state, terminal(state, type, asObject(payload.response))];
    }
  },
  flush: () => NONE,
};

function terminal(
  state: ResponsesObserverState,
  type: string,
  response: Record<string, unknown> | undefined,
): ResponseFact[] {
  const facts: ResponseFact[] = [];
  const usage = responseUsage(response);
  if (usage) facts.push({ kind: "usage", tokens: usage });
  for (const item of Array.isArray(response?.output) ? response.output : [])
    facts.push(...report(state, item));
  if (type === "response.failed") facts.push({ kind: "error", detail: failure(response) });
  else facts.push({ kind: "completed" });
  return facts;
}

function report(state: ResponsesObserverState, item: unknown): ResponseFact[] {
  const key = itemKey(item);
  if (key !== undefined) {
    if (state.reported.has(key)) return [];
    state.reported.add(key);
  }
  return itemFacts(item);
}

import { type ResponseFact, usageFact } from "../../audit/response-fact.ts";
import { asObject, asString, parseJsonSafe } from "../../json/loose.ts";
import type { SseEvent } from "../../sse/event.ts";
import type { Transducer } from "../../transducer/transducer.ts";
import { openaiErrorDetail } from "../openai-shared/error-detail.ts";
import { failure } from "./errors.ts";
import { itemFacts, itemKey } from "./output-items.ts";
import { responseUsage } from "./usage.ts";

/** Items already reported from `output_item.done`, so the final response does not repeat them. */
type Reported = Set<string>;

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
export class ResponsesObserver implements Transducer<SseEvent, ResponseFact> {
  readonly #reported: Reported = new Set();

  step(event: SseEvent): readonly ResponseFact[] {
    if (event.event !== undefined && !WATCHED.has(event.event)) return NONE;
    const payload = asObject(parseJsonSafe(event.data));
    const type = asString(payload?.type) ?? event.event;
    if (!payload || type === undefined || !WATCHED.has(type)) return NONE;
    switch (type) {
      case "response.output_item.done":
        return report(this.#reported, payload.item);
      case "error":
        return [{ kind: "error", detail: openaiErrorDetail(payload) }];
      default:
        return terminal(this.#reported, type, asObject(payload.response));
    }
  }

  flush(): readonly ResponseFact[] {
    return NONE;
  }
}

function terminal(
  reported: Reported,
  type: string,
  response: Record<string, unknown> | undefined,
): ResponseFact[] {
  const facts: ResponseFact[] = [];
  const usage = responseUsage(response);
  if (usage) facts.push(usageFact(usage, response?.model));
  for (const item of Array.isArray(response?.output) ? response.output : [])
    facts.push(...report(reported, item));
  if (type === "response.failed") facts.push({ kind: "error", detail: failure(response) });
  else facts.push({ kind: "completed" });
  return facts;
}

function report(reported: Reported, item: unknown): ResponseFact[] {
  const key = itemKey(item);
  if (key !== undefined) {
    if (reported.has(key)) return [];
    reported.add(key);
  }
  return itemFacts(item);
}

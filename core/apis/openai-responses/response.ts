import { type ResponseFact, usageFact } from "../../audit/response-fact.ts";
import { asObject } from "../../json/loose.ts";
import { failure } from "./errors.ts";
import { itemFacts } from "./output-items.ts";
import { responseUsage } from "./usage.ts";

/**
 * Audit facts from a blocking Response object. `completed` and `incomplete` are finished
 * responses; `failed` is an upstream error; `queued` / `in_progress` (a `background: true`
 * request) carry no usage yet: the generation happens after this request ends (docs/openai.md).
 */
export function responsesBlockingFacts(body: unknown): ResponseFact[] {
  const response = asObject(body);
  if (!response) return [];
  const facts: ResponseFact[] = [];
  const usage = responseUsage(response);
  if (usage) facts.push(usageFact(usage, response.model));
  for (const item of Array.isArray(response.output) ? response.output : []) facts.push(...itemFacts(item));
  if (response.status === "failed") facts.push({ kind: "error", detail: failure(response) });
  else if (response.status === "completed" || response.status === "incomplete")
    facts.push({ kind: "completed" });
  return facts;
}

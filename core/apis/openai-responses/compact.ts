import { type ResponseFact, usageFact } from "../../audit/response-fact.ts";
import type { JsonObject } from "../../http/body.ts";
import { asObject } from "../../json/loose.ts";
import type { ApiDefinition, RequestFacts } from "../api-definition.ts";
import { responsesPrompt } from "./request.ts";
import { isResponsesInput, unaryResponsesApi } from "./unary.ts";
import { responseUsage } from "./usage.ts";

/**
 * Reads a compaction request (`model`, `input`, `instructions`, `previous_response_id`,
 * `prompt_cache_key`...; Codex also sends its `tools`, `reasoning` and `text`). `model` is required
 * but nullable in OpenAI's schema; a null model is forwarded and audited as "". The prompt is the
 * last user message of the history being compacted.
 */
export function inspectCompactRequest(body: JsonObject): RequestFacts | string {
  const model = body.model;
  if (model !== null && (typeof model !== "string" || model === ""))
    return "model: a non-empty string is required.";
  if (!isResponsesInput(body.input)) return "input: a string or an array of input items is required.";
  return { model: model ?? "", stream: false, prompts: responsesPrompt(body.input) };
}

/**
 * Audit facts of a compacted response (`{"object": "response.compaction", "output": [...],
 * "usage": {...}}`): its usage, in the same fields as a Response's (docs/tokens.md). The output is
 * the kept user messages plus one opaque `compaction` item: no tool calls, no readable thoughts.
 */
export function compactBlockingFacts(body: unknown): ResponseFact[] {
  const compacted = asObject(body);
  if (!compacted) return [];
  const facts: ResponseFact[] = [];
  const usage = responseUsage(compacted);
  if (usage) facts.push(usageFact(usage, compacted.model));
  if (compacted.object === "response.compaction") facts.push({ kind: "completed" });
  return facts;
}

/**
 * `POST /v1/responses/compact` (Codex's remote compaction): one JSON answer, never streamed. It
 * runs the model over the whole history, so it spends tokens and is audited like `/responses`.
 */
export const openaiResponsesCompact: ApiDefinition = unaryResponsesApi({
  name: "openai.responses.compact",
  inspect: inspectCompactRequest,
  blockingFacts: compactBlockingFacts,
});

import type { ResponseFact } from "../../audit/response-fact.ts";
import type { JsonObject } from "../../http/body.ts";
import { asNumber, asObject } from "../../json/loose.ts";
import type { ApiDefinition, RequestFacts } from "../api-definition.ts";
import { responsesPrompt } from "./request.ts";
import { isResponsesInput, unaryResponsesApi } from "./unary.ts";

/**
 * Reads a token-count request: the body of a `/responses` request (`model`, `input`,
 * `instructions`, `tools`, `conversation`, `previous_response_id`...), every field optional.
 */
export function inspectInputTokensRequest(body: JsonObject): RequestFacts | string {
  const model = body.model;
  if (model !== undefined && model !== null && (typeof model !== "string" || model === ""))
    return "model: a non-empty string is required when present.";
  if (!isResponsesInput(body.input)) return "input: a string or an array of input items is required.";
  return {
    model: typeof model === "string" ? model : "",
    stream: false,
    prompts: responsesPrompt(body.input),
  };
}

/**
 * Audit facts of `{"object": "response.input_tokens", "input_tokens": N}`. Counting spends no
 * tokens, so no usage is recorded: `input_tokens` is the size a request would have, not a cost,
 * and recording it would double-count the request that follows.
 */
export function inputTokensBlockingFacts(body: unknown): ResponseFact[] {
  const counted = asObject(body);
  const isCount = counted?.object === "response.input_tokens" && asNumber(counted.input_tokens) !== undefined;
  return isCount ? [{ kind: "completed" }] : [];
}

/** `POST /v1/responses/input_tokens`: one JSON answer, never streamed; audited, with no usage. */
export const openaiResponsesInputTokens: ApiDefinition = unaryResponsesApi({
  name: "openai.responses.input_tokens",
  inspect: inspectInputTokensRequest,
  blockingFacts: inputTokensBlockingFacts,
});

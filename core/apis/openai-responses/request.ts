import type { JsonObject } from "../../http/body.ts";
import { asObject } from "../../json/loose.ts";
import type { RequestFacts } from "../api-definition.ts";
import { lastUserPrompt, textParts } from "../prompt-text.ts";

/**
 * Reads model, stream flag and the prompt from a Responses request. `model` may be omitted only
 * when a stored prompt template (`prompt`) supplies it; `input` is optional (a request can
 * continue from `previous_response_id` or a `conversation`).
 */
export function inspectResponsesRequest(body: JsonObject): RequestFacts | string {
  const model = body.model;
  const fromTemplate = model === undefined && asObject(body.prompt) !== undefined;
  if (!fromTemplate && (typeof model !== "string" || model === ""))
    return "model: a non-empty string is required.";
  const input = body.input;
  if (input !== undefined && typeof input !== "string" && !Array.isArray(input)) {
    return "input: a string or an array of input items is required.";
  }
  return {
    model: typeof model === "string" ? model : "",
    stream: body.stream === true,
    prompts: responsesPrompt(input),
  };
}

/**
 * The audit's prompt of a Responses `input` (shared by `/responses`, `/responses/compact` and
 * `/responses/input_tokens`): the string itself, or the text of the last user message item.
 */
export function responsesPrompt(input: unknown): string[] {
  if (typeof input === "string") return input === "" ? [] : [input];
  if (!Array.isArray(input)) return [];
  // Message items may omit `type` (EasyInputMessage); tool outputs never have role "user".
  return lastUserPrompt(
    input,
    (item) => item.role === "user" && (item.type === undefined || item.type === "message"),
    (content) => textParts(content, (type) => type === "input_text" || type === "text").join("\n"),
  );
}

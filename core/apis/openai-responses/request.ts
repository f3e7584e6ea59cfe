import type { JsonObject } from "../../http/body.ts";
import type { RequestFacts } from "../api-definition.ts";
import { asObject } from "../json.ts";

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
    prompts: promptOf(input),
  };
}

/** `input` as a string, or the text of the last user message item. */
function promptOf(input: unknown): string[] {
  if (typeof input === "string") return input === "" ? [] : [input];
  if (!Array.isArray(input)) return [];
  for (let i = input.length - 1; i >= 0; i--) {
    const item = asObject(input[i]);
    // Message items may omit `type` (EasyInputMessage); tool outputs never have role "user".
    if (item?.role !== "user" || (item.type !== undefined && item.type !== "message")) continue;
    const text = textOf(item.content);
    if (text !== "") return [text];
  }
  return [];
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const parts: string[] = [];
  for (const part of content) {
    const p = asObject(part);
    if ((p?.type === "input_text" || p?.type === "text") && typeof p.text === "string") parts.push(p.text);
  }
  return parts.join("\n");
}

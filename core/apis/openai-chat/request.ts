import type { JsonObject } from "../../http/body.ts";
import { asObject } from "../../json/loose.ts";
import type { RequestFacts } from "../api-definition.ts";
import { lastUserPrompt, textParts } from "../prompt-text.ts";

/** Reads model, stream flag and the last user prompt from a Chat Completions request. */
export function inspectChatRequest(body: JsonObject): RequestFacts | string {
  const model = body.model;
  if (typeof model !== "string" || model === "") return "model: a non-empty string is required.";
  const messages = body.messages;
  if (!Array.isArray(messages)) return "messages: an array is required.";
  return {
    model,
    stream: body.stream === true,
    prompts: lastUserPrompt(messages, (m) => m.role === "user", chatText),
  };
}

/** True when the client itself asked for the usage chunk (then the stream is relayed as is). */
export function clientAskedForUsage(body: JsonObject): boolean {
  return asObject(body.stream_options)?.include_usage === true;
}

/** Text parts of a chat message (tool results are role `tool`, so never a user turn). */
const chatText = (content: unknown): string => textParts(content, (type) => type === "text").join("\n");

import type { JsonObject } from "../../http/body.ts";
import type { RequestFacts } from "../api-definition.ts";
import { asObject } from "../json.ts";

/** Reads model, stream flag and the last user prompt from a Chat Completions request. */
export function inspectChatRequest(body: JsonObject): RequestFacts | string {
  const model = body.model;
  if (typeof model !== "string" || model === "") return "model: a non-empty string is required.";
  const messages = body.messages;
  if (!Array.isArray(messages)) return "messages: an array is required.";
  return { model, stream: body.stream === true, prompts: lastUserPrompt(messages) };
}

/** True when the client itself asked for the usage chunk (then the stream is relayed as is). */
export function clientAskedForUsage(body: JsonObject): boolean {
  return asObject(body.stream_options)?.include_usage === true;
}

/** The text of the last user message: tool results are role `tool`, so they are skipped. */
function lastUserPrompt(messages: unknown[]): string[] {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = asObject(messages[i]);
    if (message?.role !== "user") continue;
    const text = textOf(message.content);
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
    if (p?.type === "text" && typeof p.text === "string") parts.push(p.text);
  }
  return parts.join("\n");
}

import type { JsonObject } from "../../http/body.ts";
import type { ClientInfo, RequestFacts } from "../api-definition.ts";

/** Reads model, stream flag and the last user prompt from a Messages request. */
export function inspectMessagesRequest(body: JsonObject): RequestFacts | string {
  const model = body.model;
  if (typeof model !== "string" || model === "") return "model: a non-empty string is required.";
  const messages = body.messages;
  if (!Array.isArray(messages)) return "messages: an array is required.";
  return { model, stream: body.stream === true, prompts: lastUserPrompt(messages) };
}

/** The text of the last user message, skipping tool results (they are not what the user typed). */
function lastUserPrompt(messages: unknown[]): string[] {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as { role?: unknown; content?: unknown } | null;
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
  for (const block of content) {
    const b = block as { type?: unknown; text?: unknown } | null;
    if (b?.type === "text" && typeof b.text === "string") parts.push(b.text);
  }
  return parts.join("\n");
}

export function detectAnthropicClient(headers: Headers): ClientInfo {
  const agent = headers.get("user-agent") ?? "";
  const client = agent.startsWith("claude-cli/") || headers.get("x-app") === "cli"
    ? "claude-code"
    : agent.startsWith("Anthropic/") || headers.has("x-stainless-lang")
      ? "anthropic-sdk"
      : "other";
  return { client, sessionId: headers.get("x-claude-code-session-id") };
}

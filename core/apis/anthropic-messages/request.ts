import type { JsonObject } from "../../http/body.ts";
import type { ClientInfo, RequestFacts } from "../api-definition.ts";
import { lastUserPrompt, textParts } from "../prompt-text.ts";

/** Reads model, stream flag and the last user prompt from a Messages request. */
export function inspectMessagesRequest(body: JsonObject): RequestFacts | string {
  const model = body.model;
  if (typeof model !== "string" || model === "") return "model: a non-empty string is required.";
  const messages = body.messages;
  if (!Array.isArray(messages)) return "messages: an array is required.";
  return {
    model,
    stream: body.stream === true,
    prompts: lastUserPrompt(messages, (m) => m.role === "user", typedText),
  };
}

/**
 * The user's text blocks, joined. Blocks that are whole `<system-reminder>` notes are left out:
 * Claude Code adds them to the user turn, but they are not what the user typed (kept only when a
 * turn holds nothing else).
 */
function typedText(content: unknown): string {
  const parts = textParts(content, (type) => type === "text");
  const typed = parts.filter((text) => !SYSTEM_REMINDER.test(text));
  return (typed.length > 0 ? typed : parts).join("\n");
}

const SYSTEM_REMINDER = /^\s*<system-reminder>[\s\S]*<\/system-reminder>\s*$/;

export function detectAnthropicClient(headers: Headers): ClientInfo {
  const agent = headers.get("user-agent") ?? "";
  const client =
    agent.startsWith("claude-cli/") || headers.get("x-app") === "cli"
      ? "claude-code"
      : agent.startsWith("Anthropic/") || headers.has("x-stainless-lang")
        ? "anthropic-sdk"
        : "other";
  return { client, sessionId: headers.get("x-claude-code-session-id") };
}

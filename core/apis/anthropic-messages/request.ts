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

/**
 * The user's text blocks, joined. Blocks that are whole `<system-reminder>` notes are left out:
 * Claude Code adds them to the user turn, but they are not what the user typed (kept only when a
 * turn holds nothing else).
 */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const typed: string[] = [];
  const reminders: string[] = [];
  for (const block of content) {
    const b = block as { type?: unknown; text?: unknown } | null;
    if (b?.type !== "text" || typeof b.text !== "string") continue;
    (SYSTEM_REMINDER.test(b.text) ? reminders : typed).push(b.text);
  }
  return (typed.length > 0 ? typed : reminders).join("\n");
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

import { type ResponseFact, usageFact } from "../../audit/response-fact.ts";
import { asObject, asString } from "../../json/loose.ts";
import { anthropicUsage } from "./usage.ts";

/** Audit facts from a blocking Messages response body. */
export function messagesBlockingFacts(body: unknown): ResponseFact[] {
  const message = asObject(body);
  if (!message) return [];
  const facts: ResponseFact[] = [];
  const usage = anthropicUsage(message.usage);
  if (usage) facts.push(usageFact(usage, message.model));
  const content = Array.isArray(message.content) ? message.content : [];
  for (const item of content) {
    const block = asObject(item);
    if (block?.type === "tool_use") {
      facts.push({
        kind: "tool-call",
        name: asString(block.name) ?? "",
        callId: asString(block.id) ?? "",
        args: JSON.stringify(block.input ?? {}),
      });
    } else if (block?.type === "thinking" && typeof block.thinking === "string" && block.thinking) {
      facts.push({ kind: "thought", text: block.thinking });
    }
  }
  if (message.type === "message") facts.push({ kind: "completed" });
  return facts;
}

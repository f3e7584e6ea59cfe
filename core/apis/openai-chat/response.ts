import { type ResponseFact, usageFact } from "../../audit/response-fact.ts";
import { argsText, asObject, asString } from "../../json/loose.ts";
import { openaiUsage } from "../openai-shared/usage.ts";

/** Audit facts from a blocking `chat.completion` body. */
export function chatBlockingFacts(body: unknown): ResponseFact[] {
  const completion = asObject(body);
  if (!completion) return [];
  const facts: ResponseFact[] = [];
  const usage = openaiUsage(completion.usage);
  if (usage) facts.push(usageFact(usage, completion.model));
  const choices = Array.isArray(completion.choices) ? completion.choices : [];
  for (const raw of choices) {
    const message = asObject(asObject(raw)?.message);
    if (!message) continue;
    const thinking = asString(message.reasoning_content) ?? asString(message.reasoning);
    if (thinking) facts.push({ kind: "thought", text: thinking });
    const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
    for (const rawCall of calls) {
      const call = asObject(rawCall);
      const fn = asObject(call?.function);
      facts.push({
        kind: "tool-call",
        name: asString(fn?.name) ?? "",
        callId: asString(call?.id) ?? "",
        args: argsText(asString(fn?.arguments)),
      });
    }
    const legacy = asObject(message.function_call);
    if (legacy)
      facts.push({
        kind: "tool-call",
        name: asString(legacy.name) ?? "",
        callId: "",
        args: argsText(asString(legacy.arguments)),
      });
  }
  if (Array.isArray(completion.choices)) facts.push({ kind: "completed" });
  return facts;
}

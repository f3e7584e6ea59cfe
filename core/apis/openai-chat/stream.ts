import { type ResponseFact, usageFact } from "../../audit/response-fact.ts";
import { asNumber, asObject, asString, parseJsonSafe } from "../../json/loose.ts";
import type { SseEvent } from "../../sse/event.ts";
import type { Transducer } from "../../transducer/transducer.ts";
import { openaiErrorDetail } from "../openai-shared/error-detail.ts";
import { openaiUsage } from "../openai-shared/usage.ts";
import { ToolCallAssembler } from "./tool-calls.ts";

interface ChatObserverState {
  readonly tools: ToolCallAssembler;
  /** Reasoning text per choice, from OpenAI-compatible upstreams that stream it. */
  readonly reasoning: Map<number, string>;
}

const NONE: readonly ResponseFact[] = [];

/**
 * Observes a Chat Completions stream for the audit: usage from the usage chunk (or any chunk that
 * carries numbers), tool calls per choice and index, reasoning text, mid-stream error objects,
 * and `[DONE]` as the end marker. Unknown fields and events are ignored, never an error.
 */
export class ChatObserver implements Transducer<SseEvent, ResponseFact> {
  readonly #state: ChatObserverState = { tools: new ToolCallAssembler(), reasoning: new Map() };

  step(event: SseEvent): readonly ResponseFact[] {
    const state = this.#state;
    if (event.data.trim() === "[DONE]") return [...pending(state), { kind: "completed" }];
    const chunk = asObject(parseJsonSafe(event.data));
    if (!chunk) return NONE;
    if (chunk.error !== undefined && chunk.error !== null)
      return [{ kind: "error", detail: openaiErrorDetail(chunk) }];
    const facts: ResponseFact[] = [];
    const usage = openaiUsage(chunk.usage);
    if (usage) facts.push(usageFact(usage, chunk.model));
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    choices.forEach((raw, position) => {
      const choice = asObject(raw);
      if (!choice) return;
      const index = asNumber(choice.index) ?? position;
      const delta = asObject(choice.delta);
      if (delta) {
        state.tools.add(index, delta);
        const thinking = asString(delta.reasoning_content) ?? asString(delta.reasoning);
        if (thinking) state.reasoning.set(index, (state.reasoning.get(index) ?? "") + thinking);
      }
      if (typeof choice.finish_reason === "string") facts.push(...pending(state, index));
    });
    return facts.length > 0 ? facts : NONE;
  }

  /** A stream cut before its end still reports what the model had started. */
  flush(): readonly ResponseFact[] {
    return pending(this.#state);
  }
}

/** Thoughts, then tool calls, of one finished choice (or of all choices). */
function pending(state: ChatObserverState, choice?: number): ResponseFact[] {
  const facts: ResponseFact[] = [];
  for (const [index, text] of state.reasoning) {
    if (choice !== undefined && index !== choice) continue;
    facts.push({ kind: "thought", text });
    state.reasoning.delete(index);
  }
  facts.push(...state.tools.take(choice));
  return facts;
}

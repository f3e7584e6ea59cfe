import { asNumber, asObject, asString, type Loose, parseJsonSafe } from "../../json/loose.ts";
import { removeMember } from "../../json/raw-json.ts";
import { sumUsage } from "../../json/sum-usage.ts";
import { encodeSse } from "../../sse/encoder.ts";
import type { SseEvent } from "../../sse/event.ts";
import type { SessionOptions, ToolCall, TurnOutcome } from "../../tools/contract.ts";
import { type Decision, decide } from "../../tools/decide.ts";
import { clientAskedForUsage } from "./request.ts";
import { TURN_SEPARATOR } from "./tool-loop-shared.ts";
import { isUsageOnlyChunk } from "./usage.ts";

interface StreamCall {
  id: string;
  name: string;
  args: string;
  /** Index in the client's stream; null for an injected (hidden) call. */
  readonly clientIndex: number | null;
}

/**
 * Splices the Chat streams of a tool loop into one client stream (choice 0): injected tool-call
 * fragments removed, client calls renumbered, every chunk carrying the first turn's `id`, text of
 * later turns after a blank line, one usage chunk with the totals (only if the client asked for
 * usage) and one `[DONE]` at the very end. Chunks the bridge has nothing to change keep their bytes.
 */
export class ChatStreamSplice {
  readonly #options: SessionOptions;
  readonly #askedUsage: boolean;
  #first: Loose | null = null;
  #textSent = false;
  #usage: unknown = null;
  #usageEvent: SseEvent | null = null;
  #turns = 0;
  #canContinue = true;
  #calls = new Map<number, StreamCall>();
  #clientCalls = 0;
  #text = "";
  #decision: Decision | null = null;
  #done = false;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#askedUsage = clientAskedForUsage(options.request);
  }

  beginTurn(canContinue: boolean): void {
    this.#turns++;
    this.#canContinue = canContinue;
    this.#calls = new Map();
    this.#clientCalls = 0;
    this.#text = "";
    this.#decision = null;
    this.#done = false;
  }

  step(event: SseEvent): readonly string[] {
    if (event.data.trim() === "[DONE]") return this.#finish(event);
    const chunk = asObject(parseJsonSafe(event.data));
    if (!chunk || (chunk.error !== undefined && chunk.error !== null)) return [encodeSse(event)];
    this.#first ??= chunk;
    if (isUsageOnlyChunk(chunk)) {
      this.#usage = sumUsage(this.#usage, chunk.usage);
      this.#usageEvent = event;
      return [];
    }
    if (asObject(chunk.usage)) this.#usage = sumUsage(this.#usage, chunk.usage);
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    const choice = asObject(choices[0]);
    const delta = asObject(choice?.delta);
    let changed = chunk.id !== this.#first.id || chunk.created !== this.#first.created;
    let drop = false;
    // Later turns open with their own role chunk: the client's message already has its role.
    if (this.#turns > 1 && delta && "role" in delta) {
      delete delta.role;
      changed = true;
      drop = !hasContent(delta) && typeof choice?.finish_reason !== "string";
    }
    const out: string[] = [];
    const fragments: unknown = delta?.tool_calls;
    if (delta && Array.isArray(fragments)) {
      const visible = this.#toolCalls(fragments);
      if (visible.length !== fragments.length || visible.some((v, i) => v !== fragments[i])) {
        changed = true;
        if (visible.length > 0) delta.tool_calls = visible;
        else {
          delete delta.tool_calls;
          drop = !hasContent(delta) && typeof choice?.finish_reason !== "string";
        }
      }
    }
    const text = asString(delta?.content);
    if (delta && text) {
      if (this.#textSent && this.#text === "" && this.#turns > 1) {
        delta.content = TURN_SEPARATOR + text;
        changed = true;
      }
      this.#text += text;
      this.#textSent = true;
    }
    const finish = asString(choice?.finish_reason);
    if (choice && finish !== undefined) {
      const calls = [...this.#calls.values()].filter((c) => c.clientIndex === null).map(toCall);
      const decision = decide(calls, this.#clientCalls, finish === "tool_calls", finish, this.#canContinue);
      this.#decision = decision;
      if (decision.proceed) return [];
      if (decision.capped) {
        out.push(
          this.#chunk({
            index: 0,
            delta: { content: (this.#textSent ? TURN_SEPARATOR : "") + this.#options.stopNote },
            finish_reason: null,
          }),
        );
        choice.finish_reason = "stop";
        changed = true;
      }
    }
    if (drop) return out;
    if (!changed) {
      if (this.#askedUsage || !("usage" in chunk)) return [...out, encodeSse(event)];
      return [...out, encodeSse({ ...event, data: removeMember(event.data, 0, "usage") ?? event.data })];
    }
    chunk.id = this.#first.id;
    if ("created" in chunk) chunk.created = this.#first.created;
    if (!this.#askedUsage) delete chunk.usage;
    return [...out, encodeSse({ ...event, data: JSON.stringify(chunk) })];
  }

  flush(): TurnOutcome {
    const decision = this.#decision;
    const run = decision?.proceed && this.#done ? [...this.#calls.values()].map(toCall) : [];
    return { run, notRun: decision?.notRun ?? [], complete: this.#done };
  }

  /** This turn's assistant text and every call (all injected when the loop continues). */
  lastTurn(): { text: string; calls: ToolCall[] } {
    return { text: this.#text, calls: [...this.#calls.values()].map(toCall) };
  }

  #toolCalls(fragments: unknown[]): unknown[] {
    const visible: unknown[] = [];
    fragments.forEach((raw, position) => {
      const fragment = asObject(raw);
      if (!fragment) {
        visible.push(raw);
        return;
      }
      const index = asNumber(fragment.index) ?? position;
      const fn = asObject(fragment.function);
      let call = this.#calls.get(index);
      if (!call) {
        const name = asString(fn?.name) ?? "";
        const hidden = this.#options.injected.has(name);
        call = {
          id: asString(fragment.id) ?? "",
          name,
          args: "",
          clientIndex: hidden ? null : this.#clientCalls++,
        };
        this.#calls.set(index, call);
      }
      call.args += asString(fn?.arguments) ?? "";
      if (call.clientIndex === null) return;
      visible.push(call.clientIndex === index ? raw : { ...fragment, index: call.clientIndex });
    });
    return visible;
  }

  #finish(event: SseEvent): readonly string[] {
    this.#done = true;
    if (this.#decision?.proceed) return [];
    const out: string[] = [];
    if (this.#askedUsage && this.#usage !== null) {
      if (this.#turns === 1 && this.#usageEvent) out.push(encodeSse(this.#usageEvent));
      else out.push(this.#chunkWith({ choices: [], usage: this.#usage }));
    }
    out.push(encodeSse(event));
    return out;
  }

  #chunk(choice: Loose): string {
    return this.#chunkWith({ choices: [choice] });
  }

  #chunkWith(fields: Loose): string {
    const first = this.#first ?? {};
    const head = {
      id: first.id,
      object: "chat.completion.chunk",
      created: first.created,
      model: first.model,
    };
    return encodeSse({ data: JSON.stringify({ ...head, ...fields }) });
  }
}

function hasContent(delta: Loose): boolean {
  return Object.entries(delta).some(([key, value]) => key !== "role" && value !== null && value !== "");
}

const toCall = (call: StreamCall): ToolCall => ({
  id: call.id,
  name: call.name,
  args: call.args === "" ? "{}" : call.args,
});

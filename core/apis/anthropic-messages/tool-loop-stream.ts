import { asNumber, asObject, asString, type Loose, parseJsonSafe } from "../../json/loose.ts";
import { findMember, objectMembers } from "../../json/raw-json.ts";
import { sumUsage } from "../../json/sum-usage.ts";
import { encodeSse } from "../../sse/encoder.ts";
import type { SseEvent } from "../../sse/event.ts";
import type { SessionOptions, ToolCall, TurnOutcome } from "../../tools/contract.ts";
import { type Decision, decide } from "../../tools/decide.ts";
import { mergeUsage, type UsageCounts, zeroUsage } from "./tool-loop-turn.ts";

interface Block {
  readonly content: Loose;
  /** Client index, or null for a hidden (injected) tool_use block. */
  readonly clientIndex: number | null;
  partialJson: string;
}

/**
 * Splices the Messages streams of several upstream turns into one client stream: one
 * message_start (the first turn's), content-block indexes renumbered to stay unique and
 * increasing, injected tool_use blocks hidden, and one message_delta + message_stop at the very
 * end carrying the usage summed over all turns. Also rebuilds each turn's content blocks
 * (thinking signatures included) for the next request.
 */
export class StreamSplice {
  readonly #options: SessionOptions;
  #started = false;
  #nextIndex = 0;
  #before: UsageCounts = zeroUsage();
  #turns = 0;
  // Per turn:
  #canContinue = true;
  #blocks = new Map<number, Block>();
  #order: number[] = [];
  #calls: ToolCall[] = [];
  #clientCalls = 0;
  #usage: UsageCounts = zeroUsage();
  #decision: Decision | null = null;
  #stopped = false;

  constructor(options: SessionOptions) {
    this.#options = options;
  }

  beginTurn(canContinue: boolean): void {
    if (this.#decision !== null) this.#before = sumUsage(this.#before, this.#usage);
    this.#canContinue = canContinue;
    this.#blocks = new Map();
    this.#order = [];
    this.#calls = [];
    this.#clientCalls = 0;
    this.#usage = zeroUsage();
    this.#decision = null;
    this.#stopped = false;
    this.#turns++;
  }

  step(event: SseEvent): readonly string[] {
    switch (event.event) {
      case "message_start":
        mergeUsage(this.#usage, asObject(asObject(parseJsonSafe(event.data))?.message)?.usage);
        if (this.#started) return [];
        this.#started = true;
        return [encodeSse(event)];
      case "content_block_start":
        return this.#blockStart(event);
      case "content_block_delta":
        return this.#blockDelta(event);
      case "content_block_stop":
        return this.#blockStop(event);
      case "message_delta":
        return this.#messageDelta(event);
      case "message_stop":
        this.#stopped = true;
        return this.#decision?.proceed ? [] : [encodeSse(event)];
      default:
        // ping, error and event types this bridge does not know pass through.
        return [encodeSse(event)];
    }
  }

  flush(): TurnOutcome {
    const decision = this.#decision;
    return {
      run: decision?.proceed && this.#stopped ? this.#calls : [],
      notRun: decision?.notRun ?? [],
      complete: this.#stopped,
    };
  }

  /** This turn's content as the assistant message of the next request. */
  lastTurn(): Loose[] {
    return this.#order.map((index) => this.#blocks.get(index)!.content);
  }

  #blockStart(event: SseEvent): readonly string[] {
    const payload = asObject(parseJsonSafe(event.data));
    const index = asNumber(payload?.index);
    const block = asObject(payload?.content_block);
    if (index === undefined || !block) return [encodeSse(event)];
    const content: Loose = { ...block };
    const hidden = content.type === "tool_use" && this.#options.injected.has(asString(content.name) ?? "");
    if (content.type === "tool_use" && !hidden) this.#clientCalls++;
    const clientIndex = hidden ? null : this.#nextIndex++;
    this.#blocks.set(index, { content, clientIndex, partialJson: "" });
    this.#order.push(index);
    return hidden ? [] : [reindexed(event, index, clientIndex!)];
  }

  #blockDelta(event: SseEvent): readonly string[] {
    const payload = asObject(parseJsonSafe(event.data));
    const index = asNumber(payload?.index);
    const open = index === undefined ? undefined : this.#blocks.get(index);
    if (!open || index === undefined) return [encodeSse(event)];
    const delta = asObject(payload?.delta);
    const c = open.content;
    switch (delta?.type) {
      case "text_delta":
        c.text = (asString(c.text) ?? "") + (asString(delta.text) ?? "");
        break;
      case "input_json_delta":
        open.partialJson += asString(delta.partial_json) ?? "";
        break;
      case "thinking_delta":
        c.thinking = (asString(c.thinking) ?? "") + (asString(delta.thinking) ?? "");
        break;
      case "signature_delta":
        c.signature = asString(delta.signature) ?? "";
        break;
      case "citations_delta":
        c.citations = [...(Array.isArray(c.citations) ? c.citations : []), delta.citation];
        break;
    }
    return open.clientIndex === null ? [] : [reindexed(event, index, open.clientIndex)];
  }

  #blockStop(event: SseEvent): readonly string[] {
    const index = asNumber(asObject(parseJsonSafe(event.data))?.index);
    const open = index === undefined ? undefined : this.#blocks.get(index);
    if (!open || index === undefined) return [encodeSse(event)];
    if (open.partialJson.trim() !== "") {
      const input = parseJsonSafe(open.partialJson);
      open.content.input = asObject(input) ?? {};
    }
    if (open.clientIndex !== null) return [reindexed(event, index, open.clientIndex)];
    this.#calls.push({
      id: asString(open.content.id) ?? "",
      name: asString(open.content.name) ?? "",
      args: open.partialJson.trim() !== "" ? open.partialJson : JSON.stringify(open.content.input ?? {}),
    });
    return [];
  }

  #messageDelta(event: SseEvent): readonly string[] {
    const payload = asObject(parseJsonSafe(event.data));
    mergeUsage(this.#usage, payload?.usage);
    const stopReason = asString(asObject(payload?.delta)?.stop_reason) ?? null;
    const decision = decide(
      this.#calls,
      this.#clientCalls,
      stopReason === "tool_use",
      stopReason,
      this.#canContinue,
    );
    this.#decision = decision;
    if (decision.proceed) return [];
    const out: string[] = [];
    if (decision.capped) out.push(...this.#note());
    if (this.#turns === 1 && !decision.capped) return [encodeSse(event)];
    const total = sumUsage(this.#before, this.#usage);
    const delta = { ...asObject(payload?.delta), ...(decision.capped ? { stop_reason: "end_turn" } : {}) };
    const data = { ...payload, delta, usage: { ...asObject(payload?.usage), ...total } };
    out.push(encodeSse({ event: "message_delta", data: JSON.stringify(data) }));
    return out;
  }

  /** The round cap's explanation, as one more text block. */
  #note(): string[] {
    const index = this.#nextIndex++;
    const frame = (event: string, data: Loose) =>
      encodeSse({ event, data: JSON.stringify({ type: event, index, ...data }) });
    return [
      frame("content_block_start", { content_block: { type: "text", text: "" } }),
      frame("content_block_delta", { delta: { type: "text_delta", text: this.#options.stopNote } }),
      frame("content_block_stop", {}),
    ];
  }
}

/** The event with its top-level `index` replaced; the rest of the data keeps its bytes. */
function reindexed(event: SseEvent, from: number, to: number): string {
  if (from === to) return encodeSse(event);
  const object = objectMembers(event.data, 0);
  const member = object ? findMember(object, "index") : undefined;
  if (!member) return encodeSse(event);
  return encodeSse({
    ...event,
    data: event.data.slice(0, member.valueStart) + String(to) + event.data.slice(member.valueEnd),
  });
}

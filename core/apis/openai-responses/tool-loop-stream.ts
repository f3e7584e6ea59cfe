import { asNumber, asObject, asString, type Loose, parseJsonSafe } from "../../json/loose.ts";
import { sumUsage } from "../../json/sum-usage.ts";
import { encodeSse } from "../../sse/encoder.ts";
import type { SseEvent } from "../../sse/event.ts";
import type { SessionOptions, TurnOutcome } from "../../tools/contract.ts";
import { type Decision, decide } from "../../tools/decide.ts";
import { isInjectedItem, noteItem, splitCalls, withoutInjectedTools } from "./tool-loop-items.ts";

const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);

/**
 * Splices the Responses streams of a tool loop into one client stream, event by event as they
 * arrive: `response.created`/`in_progress` only from the first turn; injected function_call
 * items and all their events hidden; `output_index` renumbered and `sequence_number` rewritten
 * so both keep increasing across turns; one terminal event whose response carries every visible
 * output item and the usage summed over turns. One stream has one response identity (the SDKs
 * refuse a change), so the terminal response keeps the FIRST turn's id and created_at.
 */
export class ResponsesStreamSplice {
  readonly #options: SessionOptions;
  #seq = 0;
  #identity: Loose | null = null;
  #nextIndex = 0;
  #visible: unknown[] = [];
  #usage: unknown = null;
  #turns = 0;
  #canContinue = true;
  #indexes = new Map<number, number | null>();
  #output: unknown[] = [];
  #decision: Decision | null = null;
  #terminal = false;

  constructor(options: SessionOptions) {
    this.#options = options;
  }

  beginTurn(canContinue: boolean): void {
    this.#turns++;
    this.#canContinue = canContinue;
    this.#indexes = new Map();
    this.#output = [];
    this.#decision = null;
    this.#terminal = false;
  }

  step(event: SseEvent): readonly string[] {
    const payload = asObject(parseJsonSafe(event.data));
    const type = asString(payload?.type) ?? event.event ?? "";
    if (!payload) return [encodeSse(event)];
    if (type === "response.created" || type === "response.in_progress") {
      if (this.#turns > 1) return [];
      const response = asObject(payload.response);
      this.#identity ??= response ? { id: response.id, created_at: response.created_at } : null;
      const cleaned = response && withoutInjectedTools(response, this.#options.injected);
      return [this.#emit(event, payload, cleaned ? { response: cleaned } : {})];
    }
    if (TERMINAL.has(type)) return this.#finish(event, payload, type);
    const index = asNumber(payload.output_index);
    if (index === undefined) return [this.#emit(event, payload, {})];
    if (type === "response.output_item.added" && !this.#indexes.has(index)) {
      this.#indexes.set(
        index,
        isInjectedItem(payload.item, this.#options.injected) ? null : this.#nextIndex++,
      );
    }
    const clientIndex = this.#indexes.get(index);
    if (type === "response.output_item.done") {
      this.#output.push(payload.item);
      if (clientIndex !== null) this.#visible.push(payload.item);
    }
    if (clientIndex === null) return [];
    return [this.#emit(event, payload, clientIndex === undefined ? {} : { output_index: clientIndex })];
  }

  flush(): TurnOutcome {
    const decision = this.#decision;
    const { calls } = splitCalls(this.#output, this.#options.injected);
    return { run: decision?.proceed ? calls : [], notRun: decision?.notRun ?? [], complete: this.#terminal };
  }

  /** This turn's finished output items, for the next request. */
  lastTurn(): readonly unknown[] {
    return this.#output;
  }

  #finish(event: SseEvent, payload: Loose, type: string): readonly string[] {
    this.#terminal = true;
    const response = asObject(payload.response) ?? {};
    this.#usage = sumUsage(this.#usage, response.usage);
    // Items the stream skipped (no output_item.done) still count, from the final response.
    if (this.#output.length === 0 && Array.isArray(response.output)) {
      this.#output = [...response.output];
      this.#visible.push(...response.output.filter((item) => !isInjectedItem(item, this.#options.injected)));
    }
    const { calls, clientCalls } = splitCalls(this.#output, this.#options.injected);
    const decision = decide(
      calls,
      clientCalls,
      type === "response.completed",
      asString(response.status) ?? type,
      this.#canContinue,
    );
    this.#decision = decision;
    if (decision.proceed) return [];
    const out: string[] = [];
    if (decision.capped) {
      const item = noteItem(this.#options.stopNote);
      const outputIndex = this.#nextIndex++;
      this.#visible.push(item);
      out.push(
        this.#emit(
          { event: "response.output_item.added", data: "" },
          { type: "response.output_item.added", output_index: outputIndex, item },
          {},
        ),
      );
      out.push(
        this.#emit(
          { event: "response.output_item.done", data: "" },
          { type: "response.output_item.done", output_index: outputIndex, item },
          {},
        ),
      );
    }
    const cleaned = withoutInjectedTools(response, this.#options.injected);
    if (this.#turns === 1 && !decision.capped && calls.length === 0)
      return [...out, this.#emit(event, payload, cleaned ? { response: cleaned } : {})];
    const merged = {
      ...response,
      ...cleaned,
      ...this.#identity,
      output: this.#visible,
      usage: this.#usage ?? response.usage,
    };
    out.push(this.#emit(event, payload, { response: merged }));
    return out;
  }

  /** The event with our sequence number (and any replaced fields); unchanged bytes when nothing differs. */
  #emit(event: SseEvent, payload: Loose, fields: Loose): string {
    const seq = this.#seq++;
    if (Object.keys(fields).length === 0 && payload.sequence_number === seq && event.data !== "")
      return encodeSse(event);
    return encodeSse({
      event: event.event,
      data: JSON.stringify({ ...payload, ...fields, sequence_number: seq }),
    });
  }
}

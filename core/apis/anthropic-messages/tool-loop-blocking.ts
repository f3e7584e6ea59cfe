import { asObject, asString, type Loose } from "../../json/loose.ts";
import { sumUsage } from "../../json/sum-usage.ts";
import type { SessionOptions, ToolCall, TurnOutcome } from "../../tools/contract.ts";
import { decide } from "../../tools/decide.ts";
import { mergeUsage, type UsageCounts, zeroUsage } from "./tool-loop-turn.ts";

/**
 * Merges the blocking Messages responses of a tool loop into one message: the first turn's id,
 * the last turn's model and stop reason, every visible content block in order (injected tool_use
 * blocks removed), and the usage summed over all turns.
 */
export class BlockingMerge {
  readonly #options: SessionOptions;
  #canContinue = true;
  #turns = 0;
  #firstId: unknown;
  #visible: unknown[] = [];
  #hidden = false;
  #capped = false;
  #total: UsageCounts = zeroUsage();
  #last: Loose | null = null;

  constructor(options: SessionOptions) {
    this.#options = options;
  }

  beginTurn(canContinue: boolean): void {
    this.#canContinue = canContinue;
  }

  turn(body: unknown): TurnOutcome {
    const message = asObject(body);
    this.#turns++;
    if (!message) return { run: [], notRun: [], complete: false };
    if (this.#turns === 1) this.#firstId = message.id;
    this.#last = message;
    const usage = zeroUsage();
    mergeUsage(usage, message.usage);
    this.#total = sumUsage(this.#total, usage);
    const calls: ToolCall[] = [];
    let clientCalls = 0;
    for (const item of Array.isArray(message.content) ? message.content : []) {
      const block = asObject(item);
      const name = asString(block?.name) ?? "";
      if (block?.type === "tool_use" && this.#options.injected.has(name)) {
        calls.push({ id: asString(block.id) ?? "", name, args: JSON.stringify(block.input ?? {}) });
        this.#hidden = true;
        continue;
      }
      if (block?.type === "tool_use") clientCalls++;
      this.#visible.push(item);
    }
    const decision = decide(
      calls,
      clientCalls,
      message.stop_reason === "tool_use",
      asString(message.stop_reason) ?? null,
      this.#canContinue,
    );
    if (decision.capped) {
      this.#capped = true;
      this.#visible.push({ type: "text", text: this.#options.stopNote });
    }
    return {
      run: decision.proceed ? calls : [],
      notRun: decision.notRun,
      complete: message.type === "message",
    };
  }

  lastTurn(): Loose[] {
    const content = this.#last?.content;
    return Array.isArray(content) ? (content.filter((b) => asObject(b) !== undefined) as Loose[]) : [];
  }

  body(): string | null {
    const last = this.#last;
    if (!last || (this.#turns === 1 && !this.#hidden)) return null;
    return JSON.stringify({
      ...last,
      id: this.#firstId,
      content: this.#visible,
      ...(this.#capped ? { stop_reason: "end_turn" } : {}),
      usage: { ...asObject(last.usage), ...this.#total },
    });
  }
}

import { asObject, asString, type Loose } from "../../json/loose.ts";
import { sumUsage } from "../../json/sum-usage.ts";
import type { SessionOptions, TurnOutcome } from "../../tools/contract.ts";
import { decide } from "../../tools/decide.ts";
import { isInjectedItem, noteItem, splitCalls, withoutInjectedTools } from "./tool-loop-items.ts";

/**
 * Merges the blocking Response objects of a tool loop: the last turn's response (its id is the
 * stored response holding the whole exchange) with every visible output item of all turns and
 * the usage summed.
 */
export class ResponsesBlockingMerge {
  readonly #options: SessionOptions;
  #canContinue = true;
  #turns = 0;
  #visible: unknown[] = [];
  #hidden = false;
  #usage: unknown = null;
  #last: Loose | null = null;
  #output: unknown[] = [];

  constructor(options: SessionOptions) {
    this.#options = options;
  }

  beginTurn(canContinue: boolean): void {
    this.#canContinue = canContinue;
  }

  turn(body: unknown): TurnOutcome {
    const response = asObject(body);
    this.#turns++;
    if (!response) return { run: [], notRun: [], complete: false };
    this.#last = response;
    this.#usage = sumUsage(this.#usage, response.usage);
    this.#output = Array.isArray(response.output) ? response.output : [];
    for (const item of this.#output) {
      if (isInjectedItem(item, this.#options.injected)) this.#hidden = true;
      else this.#visible.push(item);
    }
    const { calls, clientCalls } = splitCalls(this.#output, this.#options.injected);
    const status = asString(response.status) ?? null;
    const decision = decide(calls, clientCalls, status === "completed", status, this.#canContinue);
    if (decision.capped) this.#visible.push(noteItem(this.#options.stopNote));
    return {
      run: decision.proceed ? calls : [],
      notRun: decision.notRun,
      complete: response.object === "response",
    };
  }

  lastTurn(): readonly unknown[] {
    return this.#output;
  }

  body(): string | null {
    const last = this.#last;
    if (!last) return null;
    const cleaned = withoutInjectedTools(last, this.#options.injected);
    if (this.#turns === 1 && !this.#hidden) return cleaned ? JSON.stringify(cleaned) : null;
    return JSON.stringify({ ...last, ...cleaned, output: this.#visible, usage: this.#usage ?? last.usage });
  }
}

import { asObject, asString, type Loose } from "../../json/loose.ts";
import { sumUsage } from "../../json/sum-usage.ts";
import type { SessionOptions, ToolCall, TurnOutcome } from "../../tools/contract.ts";
import { decide } from "../../tools/decide.ts";
import { TURN_SEPARATOR } from "./tool-loop-shared.ts";

/**
 * Merges the blocking `chat.completion` bodies of a tool loop (choice 0): the first turn's id,
 * the texts of all turns joined by a blank line, only the client's tool calls, the last finish
 * reason and the usage summed over all turns.
 */
export class ChatBlockingMerge {
  readonly #options: SessionOptions;
  #canContinue = true;
  #turns = 0;
  #firstId: unknown;
  #texts: string[] = [];
  #hidden = false;
  #capped = false;
  #usage: unknown = null;
  #last: Loose | null = null;
  #turn: { text: string; calls: ToolCall[] } = { text: "", calls: [] };

  constructor(options: SessionOptions) {
    this.#options = options;
  }

  beginTurn(canContinue: boolean): void {
    this.#canContinue = canContinue;
  }

  turn(body: unknown): TurnOutcome {
    const completion = asObject(body);
    const choices = Array.isArray(completion?.choices) ? completion.choices : [];
    const choice = asObject(choices[0]);
    const message = asObject(choice?.message);
    this.#turns++;
    if (!completion || !message) return { run: [], notRun: [], complete: false };
    if (this.#turns === 1) this.#firstId = completion.id;
    this.#last = completion;
    this.#usage = sumUsage(this.#usage, completion.usage);
    const text = asString(message.content) ?? "";
    if (text !== "") this.#texts.push(text);
    const calls: ToolCall[] = [];
    let clientCalls = 0;
    for (const raw of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
      const fn = asObject(asObject(raw)?.function);
      const name = asString(fn?.name) ?? "";
      if (!this.#options.injected.has(name)) {
        clientCalls++;
        continue;
      }
      this.#hidden = true;
      calls.push({ id: asString(asObject(raw)?.id) ?? "", name, args: asString(fn?.arguments) || "{}" });
    }
    this.#turn = { text, calls };
    const finish = asString(choice?.finish_reason) ?? null;
    const decision = decide(calls, clientCalls, finish === "tool_calls", finish, this.#canContinue);
    if (decision.capped) {
      this.#capped = true;
      this.#texts.push(this.#options.stopNote);
    }
    return { run: decision.proceed ? calls : [], notRun: decision.notRun, complete: true };
  }

  lastTurn(): { text: string; calls: ToolCall[] } {
    return this.#turn;
  }

  body(): string | null {
    const last = this.#last;
    if (!last || (this.#turns === 1 && !this.#hidden)) return null;
    const choices = Array.isArray(last.choices) ? last.choices : [];
    const choice = asObject(choices[0]) ?? {};
    const message: Loose = { ...asObject(choice.message) };
    const clientCalls = (Array.isArray(message.tool_calls) ? message.tool_calls : []).filter(
      (raw) => !this.#options.injected.has(asString(asObject(asObject(raw)?.function)?.name) ?? ""),
    );
    if (clientCalls.length > 0) message.tool_calls = clientCalls;
    else delete message.tool_calls;
    message.content = this.#texts.length > 0 ? this.#texts.join(TURN_SEPARATOR) : (message.content ?? null);
    const finish = this.#capped ? "stop" : choice.finish_reason;
    return JSON.stringify({
      ...last,
      id: this.#firstId,
      choices: [{ ...choice, message, finish_reason: finish }],
      usage: this.#usage ?? last.usage,
    });
  }
}

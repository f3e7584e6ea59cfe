import type { ResponseFact } from "../../audit/response-fact.ts";
import { argsText, asNumber, asObject, asString } from "../../json/loose.ts";

interface PendingCall {
  /** `choice:index`, the key its fragments arrive under. */
  readonly key: string;
  id: string;
  name: string;
  args: string;
}

/**
 * Assembles streamed tool calls of one chat stream. Fragments are keyed by choice and tool-call
 * `index` (parallel calls interleave; indexes may start at 1); `id` and `name` come only in the
 * first fragment. Some upstreams reuse index 0 for every call: a fragment bringing a new `id` to
 * an index that already has one starts a new call. Calls are reported in order of first arrival.
 */
export class ToolCallAssembler {
  readonly #open = new Map<string, PendingCall>();
  /** Every call not yet reported, in order of first arrival (replaced ones included). */
  readonly #order: PendingCall[] = [];

  /** Feeds one choice's `delta.tool_calls` (or a legacy `delta.function_call`). */
  add(choice: number, delta: Record<string, unknown>): void {
    const calls = Array.isArray(delta.tool_calls) ? delta.tool_calls : [];
    calls.forEach((raw, position) => {
      const call = asObject(raw);
      if (!call) return;
      const fn = asObject(call.function);
      this.#fragment(
        `${choice}:${asNumber(call.index) ?? position}`,
        asString(call.id),
        asString(fn?.name),
        asString(fn?.arguments),
      );
    });
    const legacy = asObject(delta.function_call);
    if (legacy)
      this.#fragment(`${choice}:function_call`, undefined, asString(legacy.name), asString(legacy.arguments));
  }

  /** Reports and forgets the calls of one choice (its finish_reason arrived), or all of them. */
  take(choice?: number): ResponseFact[] {
    const prefix = choice === undefined ? "" : `${choice}:`;
    for (const key of [...this.#open.keys()]) if (key.startsWith(prefix)) this.#open.delete(key);
    const facts: ResponseFact[] = [];
    const kept: PendingCall[] = [];
    for (const call of this.#order) {
      if (call.key.startsWith(prefix))
        facts.push({ kind: "tool-call", name: call.name, callId: call.id, args: argsText(call.args) });
      else kept.push(call);
    }
    this.#order.splice(0, this.#order.length, ...kept);
    return facts;
  }

  #fragment(key: string, id: string | undefined, name: string | undefined, args: string | undefined): void {
    let call = this.#open.get(key);
    if (!call || (id && call.id && id !== call.id)) {
      call = { key, id: "", name: "", args: "" };
      this.#open.set(key, call);
      this.#order.push(call);
    }
    if (id && !call.id) call.id = id;
    if (name && !call.name) call.name = name;
    if (args) call.args += args;
  }
}

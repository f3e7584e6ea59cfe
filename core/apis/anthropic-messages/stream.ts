import { type ResponseFact, usageFact } from "../../audit/response-fact.ts";
import { argsText, asNumber, asObject, asString, parseJsonSafe } from "../../json/loose.ts";
import type { SseEvent } from "../../sse/event.ts";
import type { Transducer } from "../../transducer/transducer.ts";
import { anthropicUsage } from "./usage.ts";

interface OpenBlock {
  readonly type: "tool_use" | "thinking";
  readonly id: string;
  readonly name: string;
  /** Tool input JSON fragments, or thinking text, in arrival order. */
  text: string;
  /** Input given whole in content_block_start (no deltas followed). */
  readonly initialInput: string | undefined;
}

const NONE: readonly ResponseFact[] = [];

/**
 * Observes an Anthropic Messages stream for the audit: usage from message_start and
 * message_delta, client tool calls and thinking per content block, errors and the end marker.
 * Unknown event types are ignored (they still reach the client: this only observes).
 */
export class MessagesObserver implements Transducer<SseEvent, ResponseFact> {
  /** Open tool_use and thinking blocks by index. */
  readonly #blocks = new Map<number, OpenBlock>();

  step(event: SseEvent): readonly ResponseFact[] {
    switch (event.event) {
      case "ping":
      case undefined:
        return NONE;
      case "content_block_delta":
        return onDelta(this.#blocks, event.data);
      case "content_block_start":
        return onBlockStart(this.#blocks, event.data);
      case "content_block_stop":
        return onBlockStop(this.#blocks, event.data);
      case "message_start": {
        const message = asObject(asObject(parseJsonSafe(event.data))?.message);
        const usage = anthropicUsage(message?.usage);
        return usage ? [usageFact(usage, message?.model)] : NONE;
      }
      case "message_delta": {
        const usage = anthropicUsage(asObject(parseJsonSafe(event.data))?.usage);
        return usage ? [{ kind: "usage", tokens: usage }] : NONE;
      }
      case "message_stop":
        return [{ kind: "completed" }];
      case "error":
        return [{ kind: "error", detail: errorDetail(event.data) }];
      default:
        return NONE;
    }
  }

  flush(): readonly ResponseFact[] {
    return NONE;
  }
}

type Blocks = Map<number, OpenBlock>;

function onBlockStart(blocks: Blocks, data: string): readonly ResponseFact[] {
  const payload = asObject(parseJsonSafe(data));
  const index = asNumber(payload?.index);
  const block = asObject(payload?.content_block);
  if (index === undefined || !block) return NONE;
  if (block.type === "tool_use") {
    const input = asObject(block.input);
    blocks.set(index, {
      type: "tool_use",
      id: asString(block.id) ?? "",
      name: asString(block.name) ?? "",
      text: "",
      initialInput: input && Object.keys(input).length > 0 ? JSON.stringify(input) : undefined,
    });
  } else if (block.type === "thinking") {
    blocks.set(index, {
      type: "thinking",
      id: "",
      name: "",
      text: asString(block.thinking) ?? "",
      initialInput: undefined,
    });
  }
  return NONE;
}

function onDelta(blocks: Blocks, data: string): readonly ResponseFact[] {
  if (blocks.size === 0) return NONE; // text deltas need no parsing
  const payload = asObject(parseJsonSafe(data));
  const index = asNumber(payload?.index);
  const open = index === undefined ? undefined : blocks.get(index);
  const delta = asObject(payload?.delta);
  if (!open || !delta) return NONE;
  if (delta.type === "input_json_delta") open.text += asString(delta.partial_json) ?? "";
  else if (delta.type === "thinking_delta") open.text += asString(delta.thinking) ?? "";
  return NONE;
}

function onBlockStop(blocks: Blocks, data: string): readonly ResponseFact[] {
  if (blocks.size === 0) return NONE;
  const index = asNumber(asObject(parseJsonSafe(data))?.index);
  const open = index === undefined ? undefined : blocks.get(index);
  if (!open || index === undefined) return NONE;
  blocks.delete(index);
  if (open.type === "thinking") return open.text ? [{ kind: "thought", text: open.text }] : NONE;
  return [
    {
      kind: "tool-call",
      name: open.name,
      callId: open.id,
      args: open.text ? open.text : argsText(open.initialInput),
    },
  ];
}

function errorDetail(data: string): string {
  const error = asObject(asObject(parseJsonSafe(data))?.error);
  const type = asString(error?.type) ?? "error";
  const message = asString(error?.message);
  return message ? `${type}: ${message}` : type;
}

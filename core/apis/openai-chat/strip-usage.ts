import { asObject, parseJsonSafe } from "../../json/loose.ts";
import { removeMember } from "../../json/raw-json.ts";
import { encodeSse } from "../../sse/encoder.ts";
import type { SseEvent } from "../../sse/event.ts";
import type { Transducer } from "../../transducer/transducer.ts";
import { isUsageOnlyChunk } from "./usage.ts";

const NONE: readonly string[] = [];

/**
 * The client's view of a chat stream whose usage the bridge requested: the usage-only chunk is
 * dropped, and the `usage` member OpenAI then puts on every other chunk (`"usage":null`, or the
 * numbers when they ride on the last choice chunk) is removed from the raw data text. Everything
 * else, `[DONE]` and error objects included, is re-framed unchanged, one event at a time.
 */
export const stripUsage: Transducer<SseEvent, string> = {
  // Stateless, so one instance serves every stream.
  step(event) {
    // Cheap pre-check: most chunks are parsed only when they mention usage at all.
    if (!event.data.includes('"usage"')) return [encodeSse(event)];
    const chunk = asObject(parseJsonSafe(event.data));
    if (!chunk || !("usage" in chunk)) return [encodeSse(event)];
    if (isUsageOnlyChunk(chunk)) return NONE;
    const data = removeMember(event.data, 0, "usage");
    return [encodeSse({ ...event, data: data ?? event.data })];
  },
  flush: () => NONE,
};

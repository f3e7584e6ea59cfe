import type { JsonObject } from "../../http/body.ts";
import { asObject } from "../../json/loose.ts";
import { findMember, objectMembers, setMember } from "../../json/raw-json.ts";
import type { PreparedRequest, RequestFacts } from "../api-definition.ts";
import { clientAskedForUsage } from "./request.ts";
import { stripUsage } from "./strip-usage.ts";

/**
 * A streaming chat request only reports usage with `stream_options.include_usage`. When the
 * client did not ask for it, the bridge asks upstream (editing only that field of the raw body)
 * and strips what it added from the client's stream. If the edit cannot be made safely the body
 * goes out as sent: the client is never harmed, only the audit misses the usage.
 */
export function prepareChatRequest(
  raw: string,
  body: JsonObject,
  facts: RequestFacts,
): PreparedRequest | null {
  if (!facts.stream || clientAskedForUsage(body)) return null;
  const edited = withIncludeUsage(raw, body);
  return edited === null ? null : { body: edited, rewrite: stripUsage };
}

/** The raw body with `stream_options.include_usage: true`, everything else byte for byte. */
export function withIncludeUsage(raw: string, body: JsonObject): string | null {
  const root = objectMembers(raw, 0);
  if (!root) return null;
  const options = findMember(root, "stream_options");
  // Absent, null or not an object: the bridge sets the whole member.
  if (!options || asObject(body.stream_options) === undefined) {
    return setMember(raw, 0, "stream_options", '{"include_usage":true}');
  }
  return setMember(raw, options.valueStart, "include_usage", "true");
}

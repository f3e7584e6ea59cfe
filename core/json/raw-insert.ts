import { findMember, objectMembers } from "./raw-json.ts";

/**
 * Inserts comma-separated JSON items at the start or end of a top-level array member of a raw
 * JSON body, creating the member when absent (or null); every other byte of the body is kept.
 * Null when the body or the member is not what was expected (the caller then does not inject).
 */
export function insertIntoArray(
  raw: string,
  key: string,
  items: string,
  where: "start" | "end",
): string | null {
  const object = objectMembers(raw, 0);
  if (!object) return null;
  const member = findMember(object, key);
  if (!member) {
    const first = object.members[0];
    const entry = `${JSON.stringify(key)}:[${items}]`;
    return first
      ? `${raw.slice(0, first.keyStart)}${entry},${raw.slice(first.keyStart)}`
      : `${raw.slice(0, object.start + 1)}${entry}${raw.slice(object.start + 1)}`;
  }
  const value = raw.slice(member.valueStart, member.valueEnd);
  if (value === "null") return `${raw.slice(0, member.valueStart)}[${items}]${raw.slice(member.valueEnd)}`;
  if (!value.startsWith("[")) return null;
  const empty = value.slice(1, -1).trim() === "";
  if (where === "start") {
    const at = member.valueStart + 1;
    return `${raw.slice(0, at)}${items}${empty ? "" : ","}${raw.slice(at)}`;
  }
  const at = member.valueEnd - 1;
  return `${raw.slice(0, at)}${empty ? "" : ","}${items}${raw.slice(at)}`;
}

/**
 * For the turns after a tool round: a `tool_choice` that forces *some* tool call is relaxed (the
 * API's `relax` returns the replacement JSON, or null to keep the value), or the model would have
 * to call a tool on every turn and the loop could only end at the round cap. The client's demand
 * was met by the first turn's call.
 */
export function relaxToolChoice(raw: string, relax: (value: unknown) => string | null): string {
  const object = objectMembers(raw, 0);
  const member = object ? findMember(object, "tool_choice") : undefined;
  if (!member) return raw;
  let value: unknown;
  try {
    value = JSON.parse(raw.slice(member.valueStart, member.valueEnd));
  } catch {
    return raw;
  }
  const relaxed = relax(value);
  return relaxed === null ? raw : raw.slice(0, member.valueStart) + relaxed + raw.slice(member.valueEnd);
}

/**
 * Surgical edits on raw JSON text. The bridge forwards request bodies as the client wrote them
 * (number formatting, key order, whitespace, unknown fields): when it must own a field, it locates
 * that member's byte span and rewrites only that. Scanning is iterative (no recursion), so deeply
 * nested bodies cannot overflow the stack. Inputs are expected to be valid JSON (already parsed
 * once); on anything unexpected the functions return null and the caller falls back.
 */

export interface MemberSpan {
  /** The decoded key. */
  readonly key: string;
  /** Offset of the key's opening quote. */
  readonly keyStart: number;
  /** Offsets of the value: `text.slice(valueStart, valueEnd)` is the value's JSON text. */
  readonly valueStart: number;
  readonly valueEnd: number;
}

export interface ObjectSpan {
  readonly start: number;
  /** Offset just past the closing brace. */
  readonly end: number;
  readonly members: readonly MemberSpan[];
}

function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

/** Index just past the string starting at `i` (an opening quote), or -1. */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

/** Index just past the value starting at `i`, or -1. Containers are skipped by depth counting. */
function skipValue(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return skipString(text, i);
  if (first === "{" || first === "[") {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') {
        j = skipString(text, j) - 1;
        if (j < 0) return -1;
      } else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < text.length && !/[\s,\]}]/.test(text[j]!)) j++;
  return j > i ? j : -1;
}

/** The members of the object whose `{` is at `start` (after optional whitespace), or null. */
export function objectMembers(text: string, start: number): ObjectSpan | null {
  let i = skipSpace(text, start);
  if (text[i] !== "{") return null;
  const objectStart = i;
  const members: MemberSpan[] = [];
  i = skipSpace(text, i + 1);
  if (text[i] === "}") return { start: objectStart, end: i + 1, members };
  for (;;) {
    if (text[i] !== '"') return null;
    const keyStart = i;
    const keyEnd = skipString(text, i);
    if (keyEnd < 0) return null;
    let key: unknown;
    try {
      key = JSON.parse(text.slice(keyStart, keyEnd));
    } catch {
      return null;
    }
    i = skipSpace(text, keyEnd);
    if (text[i] !== ":") return null;
    const valueStart = skipSpace(text, i + 1);
    const valueEnd = skipValue(text, valueStart);
    if (valueEnd < 0) return null;
    members.push({ key: key as string, keyStart, valueStart, valueEnd });
    i = skipSpace(text, valueEnd);
    if (text[i] === "}") return { start: objectStart, end: i + 1, members };
    if (text[i] !== ",") return null;
    i = skipSpace(text, i + 1);
  }
}

/** The member JSON.parse would keep: with duplicate keys, the last one wins. */
export function findMember(object: ObjectSpan, key: string): MemberSpan | undefined {
  for (let i = object.members.length - 1; i >= 0; i--)
    if (object.members[i]!.key === key) return object.members[i];
  return undefined;
}

/**
 * Sets `key` to `valueJson` in the object at `start`: replaces the value in place when the key
 * exists, else appends the member after the last one (keeping the client's layout around it).
 */
export function setMember(text: string, start: number, key: string, valueJson: string): string | null {
  const object = objectMembers(text, start);
  if (!object) return null;
  const existing = findMember(object, key);
  if (existing) return text.slice(0, existing.valueStart) + valueJson + text.slice(existing.valueEnd);
  const member = `${JSON.stringify(key)}:${valueJson}`;
  const last = object.members.at(-1);
  if (!last) return `${text.slice(0, object.start + 1)}${member}${text.slice(object.start + 1)}`;
  return `${text.slice(0, last.valueEnd)},${member}${text.slice(last.valueEnd)}`;
}

/**
 * Removes every `key` member from the object at `start` (with its separating comma). Returns the
 * text unchanged when the key is absent, null when the text is not an object.
 */
export function removeMember(text: string, start: number, key: string): string | null {
  let out = text;
  // One occurrence per pass, rescanning after each: offsets never go stale (duplicates are rare).
  for (;;) {
    const object = objectMembers(out, start);
    if (!object) return null;
    const m = object.members.findIndex((member) => member.key === key);
    if (m < 0) return out;
    const member = object.members[m]!;
    const next = object.members[m + 1];
    const previous = object.members[m - 1];
    // Drop the member and the comma that joins it to a neighbour (the following one if any).
    const [from, to] = next
      ? [member.keyStart, next.keyStart]
      : previous
        ? [previous.valueEnd, member.valueEnd]
        : [member.keyStart, member.valueEnd];
    out = out.slice(0, from) + out.slice(to);
  }
}

/**
 * JSON.stringify escapes C0 controls, but leaves DEL, C1 controls, bidi controls and U+2028-U+2029
 * raw: valid JSON, yet shown by a terminal that displays it (`--json` without jq, `tail -f` of a
 * log). They can only occur inside JSON strings, where `\uHHHH` is the same character to every
 * parser, so escaping them keeps the data identical and the display unambiguous.
 */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    JSON_UNSAFE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

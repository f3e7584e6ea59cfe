/**
 * Text from the store (user names, models, clients, key scopes, error details) is written by
 * whoever called the bridge. Printed raw, an ESC sequence could clear the operator's screen or
 * recolour it, a CR or LF could forge an audit line, and a bidi control could reorder what the
 * operator reads. Every such character is therefore shown as an escape instead:
 *
 *   \\        a backslash itself, so no escape below can be faked by the text
 *   \n \r \t  the three common ones
 *   \xHH      any other C0 control, DEL, or C1 control (U+0080-U+009F, which some terminals obey)
 *   \uHHHH    bidi controls (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069), the line and
 *             paragraph separators U+2028-U+2029, and lone surrogates (unprintable in UTF-8)
 *
 * Every escape starts with a backslash and has one fixed length, so the mapping is injective:
 * two different texts never print the same. Everything else, including ordinary non-ASCII
 * letters and emoji, is printed as is.
 */

const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeChar(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `text` with every control, bidi and separator character (and `\`) shown as an escape. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** A line for a human: only `human` builds one, so a caller cannot forget to escape a value. */
export type HumanText = string & { readonly __human: true };

/**
 * A tagged template for human-readable output: the literal parts are the program's own, every
 * interpolated value goes through `printable`. Numbers and null print as String() gives them.
 */
export function human(parts: TemplateStringsArray, ...values: unknown[]): HumanText {
  let text = parts[0] ?? "";
  for (let i = 0; i < values.length; i++) text += printable(String(values[i])) + (parts[i + 1] ?? "");
  return text as HumanText;
}

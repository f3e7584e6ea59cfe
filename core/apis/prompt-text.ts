import { asObject, type Loose } from "../json/loose.ts";

/**
 * The text of the last user turn that has any, for the audit's `prompts`. Each API says which
 * items are user turns and how their content reads; turns without text (tool results) are skipped.
 */
export function lastUserPrompt(
  items: readonly unknown[],
  isUserTurn: (item: Loose) => boolean,
  textOf: (content: unknown) => string,
): string[] {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = asObject(items[i]);
    if (!item || !isUserTurn(item)) continue;
    const text = textOf(item.content);
    if (text !== "") return [text];
  }
  return [];
}

/** A message's text parts: string content is one part; arrays keep the parts whose type matches. */
export function textParts(content: unknown, isTextType: (type: unknown) => boolean): string[] {
  if (typeof content === "string") return [content];
  if (!Array.isArray(content)) return [];
  const parts: string[] = [];
  for (const part of content) {
    const p = asObject(part);
    if (p && isTextType(p.type) && typeof p.text === "string") parts.push(p.text);
  }
  return parts;
}

/**
 * Names of injected tools. Every injected tool is called `cw__<server>__<tool>`: the reserved
 * `cw__` prefix keeps them apart from the client's own tools (MCP-01), and providers accept at
 * most 64 characters of `[a-zA-Z0-9_-]`. Longer or unusual names are cleaned, cut, and given a
 * short hash of the original pair so two different tools never end up with the same name.
 */
export const INJECTED_PREFIX = "cw__";
const MAX_TOOL_NAME = 64;

const INVALID = /[^a-zA-Z0-9_-]/g;

export function injectedToolName(server: string, tool: string): string {
  const plain = `${INJECTED_PREFIX}${server}__${tool}`;
  if (plain.length <= MAX_TOOL_NAME && !/[^a-zA-Z0-9_-]/.test(plain)) return plain;
  const suffix = `_${shortHash(`${server}\u0000${tool}`)}`;
  const cleaned = `${INJECTED_PREFIX}${server.replace(INVALID, "_")}__${tool.replace(INVALID, "_")}`;
  return cleaned.slice(0, MAX_TOOL_NAME - suffix.length) + suffix;
}

/** 32-bit FNV-1a as 8 hex digits: stable across runs and runtimes (no crypto needed). */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/**
 * Usage across the turns of a tool loop: providers report each turn's own counts, and the
 * client's one answer carries their sum. Sums field by field, nested detail objects too;
 * non-numbers keep the latest value. Two objects of one shape sum to that shape.
 */
export function sumUsage<T extends object>(a: T, b: T): T;
export function sumUsage(a: unknown, b: unknown): unknown;
export function sumUsage(a: unknown, b: unknown): unknown {
  if (typeof a === "number" && typeof b === "number") return a + b;
  if (isPlain(a) && isPlain(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = key in a ? sumUsage(a[key], value) : value;
    return out;
  }
  return b ?? a;
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

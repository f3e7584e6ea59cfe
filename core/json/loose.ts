/** Parses JSON from a provider event without ever throwing: malformed data yields undefined. */
export function parseJsonSafe(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type Loose = Record<string, unknown>;

/** Narrows to a plain object, so field reads on provider data never throw. */
export function asObject(value: unknown): Loose | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Loose) : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Tool arguments as JSON text: empty or missing arguments become `{}`. */
export function argsText(raw: string | undefined): string {
  return raw === undefined || raw.trim() === "" ? "{}" : raw;
}

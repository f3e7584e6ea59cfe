/**
 * The query parameters the providers' APIs define, forwarded upstream as the client wrote them.
 * Anything else is dropped: a query string is where keys leak into access logs, and an unknown
 * parameter reaches the provider under the enterprise's key. Sources (2026-12): Anthropic
 * Messages (`beta`, Claude Code sends `?beta=true`) and Models (`limit`, `before_id`,
 * `after_id`); OpenAI Responses retrieve (`include`, `stream`, `starting_after`,
 * `include_obfuscation`), input items and Conversations items (`after`, `before`, `limit`,
 * `order`, `include`); Azure-style OpenAI-compatible servers (`api-version`). Operators add names
 * per instance with `providers[].forward_query`.
 */
export const FORWARDED_QUERY: ReadonlySet<string> = new Set([
  "beta",
  "limit",
  "before_id",
  "after_id",
  "after",
  "before",
  "order",
  "include",
  "include[]",
  "stream",
  "starting_after",
  "include_obfuscation",
  "api-version",
]);

/** Parameter names that carry a credential in some client or gateway (`api_key`, `API_KEY`, `apikey`, `key`, `token`, `access_token`, `sig`...). */
const CREDENTIAL_NAME = /key|token|secret|passw|auth|sig|credential/i;

export type QueryResult = { readonly ok: true; readonly search: string } | { readonly ok: false };

/**
 * The query to send upstream: the allowed parameters of `search` (`?…` or ""), each byte for byte
 * as the client wrote it, in order. Refused (`ok: false`) when any parameter is named like a
 * credential, so the client learns that its key does not belong there (it is never forwarded).
 */
export function forwardedQuery(search: string, allowed: ReadonlySet<string>): QueryResult {
  // The one query real clients send on the hot path (Claude Code's `?beta=true`).
  if (search === "" || search === "?beta=true") return { ok: true, search };
  const kept: string[] = [];
  for (const pair of search.slice(1).split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const name = decodeName(equals < 0 ? pair : pair.slice(0, equals));
    if (name === null) continue;
    if (CREDENTIAL_NAME.test(name)) return { ok: false };
    if (allowed.has(name)) kept.push(pair);
  }
  return { ok: true, search: kept.length === 0 ? "" : `?${kept.join("&")}` };
}

/** A form-encoded parameter name, decoded; null when its escapes are malformed (it is dropped). */
function decodeName(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replaceAll("+", " "));
  } catch {
    return null;
  }
}

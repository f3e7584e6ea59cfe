/** RFC 9110 §7.6.1 hop-by-hop headers, plus ones a proxy must recompute itself. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

/** Client credentials of any provider style: never forwarded upstream (AUTH-09). */
const CLIENT_CREDENTIALS = new Set(["authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie"]);

/** Bridge-internal headers a client must not be able to set upstream. */
export const HOP_COUNT_HEADER = "x-causeway-hops";
export const REQUEST_ID_HEADER = "x-causeway-request-id";

/**
 * Builds the upstream request headers: every end-to-end header the client sent, minus hop-by-hop
 * headers, client credentials, routing overrides and encodings the runtime negotiates itself.
 */
export function forwardRequestHeaders(incoming: Headers): Headers {
  const named = connectionNamed(incoming);
  const out = new Headers();
  incoming.forEach((value, name) => {
    if (HOP_BY_HOP.has(name) || CLIENT_CREDENTIALS.has(name) || named.has(name)) return;
    // The runtime's fetch negotiates and decodes compression itself.
    if (name === "accept-encoding") return;
    // Routing overrides such as x-portkey-custom-host would redirect the enterprise key (INP-01).
    if (name.endsWith("-custom-host") || name === HOP_COUNT_HEADER) return;
    out.set(name, value);
  });
  return out;
}

/** Upstream response headers a client may see: no credentials, cookies or stale framing. */
const RESPONSE_DROP = new Set([
  ...HOP_BY_HOP,
  "set-cookie",
  "set-cookie2",
  "authorization",
  "x-api-key",
  "api-key",
  // fetch has already decoded the body: these would describe bytes the client never gets.
  "content-encoding",
]);

export function filterResponseHeaders(upstream: Headers): Headers {
  const named = connectionNamed(upstream);
  const out = new Headers();
  upstream.forEach((value, name) => {
    if (RESPONSE_DROP.has(name) || named.has(name)) return;
    out.append(name, value);
  });
  return out;
}

function connectionNamed(headers: Headers): Set<string> {
  const connection = headers.get("connection");
  if (!connection) return EMPTY;
  // The usual values, without building a set per request.
  if (connection === "keep-alive") return KEEP_ALIVE;
  if (connection === "close") return CLOSE;
  return new Set(
    connection
      .split(",")
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
}

const EMPTY = new Set<string>();
const KEEP_ALIVE = new Set(["keep-alive"]);
const CLOSE = new Set(["close"]);

/** The Causeway credential from `x-api-key` or `Authorization: Bearer`, whichever is present. */
export function extractCredential(headers: Headers): string | null {
  const apiKey = headers.get("x-api-key");
  if (apiKey) return apiKey.trim() || null;
  const authorization = headers.get("authorization");
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1] ?? null;
}

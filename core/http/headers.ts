/** RFC 9110 §7.6.1 hop-by-hop headers, plus ones a proxy must recompute itself. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
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
/**
 * Names that hold a credential in some provider's, gateway's or cloud's style
 * (`x-amz-security-token`, `ocp-apim-subscription-key`, `x-litellm-api-key`...): dropped too,
 * whatever the prefix. No header real clients send matches (reference/wire-notes.md samples).
 */
const CREDENTIAL_NAME = /api-?key|token|secret|credential|passw|subscription-key|signature/;

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
    if (CREDENTIAL_NAME.test(name)) return;
    // The runtime's fetch negotiates and decodes compression itself.
    if (name === "accept-encoding") return;
    // Routing overrides such as x-portkey-custom-host would redirect the enterprise key (INP-01).
    if (name.endsWith("-custom-host") || name === HOP_COUNT_HEADER) return;
    out.set(name, value);
  });
  return out;
}

/** Header names the `Connection` header lists: hop-by-hop for this message alone. */
export function connectionNamed(headers: Headers): Set<string> {
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

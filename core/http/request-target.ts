/** The parts of a request URL the bridge routes on. */
export interface RequestTarget {
  readonly pathname: string;
  /** `?…` as `URL.search` gives it: "" when there is no query or it is empty. */
  readonly search: string;
  /**
   * The URL had no valid authority: the runtime could not make one from the Host header (missing,
   * empty or malformed; Bun then hands over the bare request target). HTTP/1.1 wants a 400 for
   * that (RFC 9112 §3.2); the path is still parsed so a health check can be answered.
   */
  readonly badHost?: true;
}

/**
 * Splits a request URL into pathname and search without a `URL` object (hot path). `request.url`
 * is already a serialized URL, so slicing it yields exactly what `new URL()` would. Only paths made
 * of letters, digits, `-`, `_`, `~` and `/` take the shortcut: anything parsing could still rewrite
 * (dot segments, escapes, backslashes, characters it would escape) goes through `URL`.
 */
export function requestTarget(href: string): RequestTarget {
  const scheme = href.indexOf("://");
  const start = scheme < 0 ? -1 : href.indexOf("/", scheme + 3);
  if (start < 0) return parsed(href);
  let end = href.length;
  for (let i = start; i < href.length; i++) {
    const c = href.charCodeAt(i);
    if (c === 0x3f || c === 0x23) {
      end = i;
      break;
    }
    if (!plain(c)) return parsed(href);
  }
  const pathname = href.slice(start, end);
  if (end === href.length || href.charCodeAt(end) === 0x23) return { pathname, search: "" };
  let hash = href.length;
  for (let i = end + 1; i < href.length; i++) {
    const c = href.charCodeAt(i);
    if (c === 0x23) {
      hash = i;
      break;
    }
    // Characters URL would escape in a query: only an unserialized URL holds them.
    if (c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e) return parsed(href);
  }
  const search = href.slice(end, hash);
  return { pathname, search: search.length > 1 ? search : "" };
}

function plain(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x2f && c <= 0x39) || // / and 0-9
    (c >= 0x41 && c <= 0x5a) || // A-Z
    c === 0x2d || // -
    c === 0x5f || // _
    c === 0x7e // ~
  );
}

function parsed(href: string): RequestTarget {
  const url = parse(href);
  if (url !== null && url.host !== "") return { pathname: url.pathname, search: url.search };
  // A relative target (or one no base can hold) is parsed against a placeholder authority.
  const relative = parse(href, "http://host.invalid");
  return relative === null
    ? { pathname: "/", search: "", badHost: true }
    : { pathname: relative.pathname, search: relative.search, badHost: true };
}

/**
 * RFC 9110 §7.2 / RFC 3986 §3.2.2: a Host is a registered name (unreserved, sub-delims and %
 * escapes) or a bracketed IP literal, with an optional numeric port. Runtimes differ on what they
 * make of anything else (Bun drops the authority, Deno keeps `x/` and shifts the path), so the
 * bridge refuses it itself. Absent is fine: HTTP/2 carries `:authority`, and a runtime that needs
 * a Host for the URL has already told us (`badHost`).
 */
const HOST = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=%]+|\[[0-9A-Fa-f:.]+\])(?::\d{0,5})?$/;

export function isValidHost(host: string | null): boolean {
  return host === null || HOST.test(host);
}

/** `URL.parse`, which Node 20 lacks. */
function parse(href: string, base?: string): URL | null {
  try {
    return new URL(href, base);
  } catch {
    return null;
  }
}

/**
 * Whether a routed path is safe to forward: every `%` escape decodes, and no segment decodes to
 * something a provider's own router could read as structure (a `/` or `\`, a dot segment, a
 * control character, or another escape). URL parsing already resolved literal `..`, `%2e` and
 * `\`; an id such as `abc%2F..%2Ffiles` would still reach an upstream that decodes before routing.
 */
export function isSafePath(path: string): boolean {
  if (path.indexOf("%") < 0) return true;
  for (const segment of path.split("/")) {
    if (segment.indexOf("%") < 0) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return false;
    }
    if (decoded === "." || decoded === ".." || hasUnsafeChar(decoded)) return false;
  }
  return true;
}

/** `/`, `\`, `%` (a double escape), C0 controls and DEL. */
function hasUnsafeChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f || c === 0x5c || c === 0x25) return true;
  }
  return false;
}

/** The parts of a request URL the bridge routes on. */
export interface RequestTarget {
  readonly pathname: string;
  /** `?…` as `URL.search` gives it: "" when there is no query or it is empty. */
  readonly search: string;
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
  const url = new URL(href);
  return { pathname: url.pathname, search: url.search };
}

import { connectionNamed, HOP_BY_HOP } from "./headers.ts";

/**
 * Upstream response headers a client gets, by allow-list: what the providers' clients and SDKs
 * read (content type, request ids, retry hints, rate-limit state, Anthropic's and OpenAI's own
 * headers) and plain HTTP caching metadata. Everything else stays with the bridge: cookies,
 * credentials in any provider's style (`x-goog-api-key`, `x-amz-security-token`...), `alt-svc`
 * (it would point the client at the bridge's origin over another protocol), infrastructure
 * headers. Operators add names (or `prefix*`) per instance with `providers[].relay_headers`.
 */
const RELAYED = new Set([
  "content-type",
  "content-language",
  "content-disposition",
  "cache-control",
  "date",
  "etag",
  "last-modified",
  "expires",
  "vary",
  "retry-after",
  "retry-after-ms",
  "x-should-retry",
  "request-id",
  "x-request-id",
  "cf-ray",
  "x-envoy-upstream-service-time",
]);
const RELAYED_PREFIXES = ["anthropic-", "openai-", "x-ratelimit-", "x-codex-"];

/** Shorter values would match by accident; real keys are far longer. */
const MIN_SECRET_LENGTH = 8;

/** One provider instance's response header filter, built once per bridge. */
export class ResponseHeaderPolicy {
  readonly #names: ReadonlySet<string>;
  readonly #prefixes: readonly string[];
  readonly #secrets: readonly string[];

  /** `extra`: names, or prefixes ending in `*`; `secrets`: the instance's keys, never relayed in any value. */
  constructor(extra: readonly string[], secrets: readonly string[]) {
    const names = new Set(RELAYED);
    const prefixes = [...RELAYED_PREFIXES];
    for (const entry of extra) {
      const name = entry.toLowerCase();
      if (name.endsWith("*")) prefixes.push(name.slice(0, -1));
      else names.add(name);
    }
    this.#names = names;
    this.#prefixes = prefixes;
    this.#secrets = secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  }

  /** The headers of `upstream` a client may see. */
  filter(upstream: Headers): Headers {
    const named = connectionNamed(upstream);
    const out = new Headers();
    upstream.forEach((value, name) => {
      if (!this.#allows(name) || named.has(name) || this.#echoesSecret(value)) return;
      out.append(name, value);
    });
    return out;
  }

  #allows(name: string): boolean {
    if (HOP_BY_HOP.has(name)) return false;
    if (this.#names.has(name)) return true;
    for (const prefix of this.#prefixes) if (name.startsWith(prefix)) return true;
    return false;
  }

  #echoesSecret(value: string): boolean {
    for (const secret of this.#secrets) if (value.includes(secret)) return true;
    return false;
  }
}

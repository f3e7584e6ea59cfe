import { createLocalJWKSet, errors, type JSONWebKeySet, type JWSHeaderParameters } from "jose";
import { parseJsonObject, readResponseWithLimit } from "../http/body.ts";
import type { Clock } from "../ports/clock.ts";
import type { Upstream } from "../ports/upstream.ts";

/** The identity provider's keys could not be had: no verdict is possible (503, not 401). */
export class KeySetUnavailable extends Error {
  override readonly name = "KeySetUnavailable";
}

export interface KeySetOptions {
  /** Keys are refetched when older than this. */
  readonly maxAgeMs: number;
  /** At most one fetch per this interval, however many unknown `kid`s arrive (a flood of forged
   * tokens must not become a flood of requests to the identity provider). */
  readonly cooldownMs: number;
  readonly timeoutMs: number;
  /**
   * A fetch failed (at most once per cooldown): `stale` when earlier keys still verify, so the
   * operator learns of an outage that tokens do not show yet.
   */
  readonly onFailure?: (reason: string, stale: boolean) => void;
}

type KeyGetter = ReturnType<typeof createLocalJWKSet>;

/**
 * An identity provider's JWKS, for jose's `jwtVerify`. jose parses and imports the keys
 * (`createLocalJWKSet`); this class decides when to fetch them, which jose's own remote set
 * cannot do the way a bridge needs:
 *
 * - it fetches through the `Upstream` port (the core stays free of runtime APIs);
 * - keys already known keep verifying while the provider is unreachable (a stale set beats
 *   refusing every developer during an identity-provider outage);
 * - an unknown `kid` refetches at most once per cooldown, and a failed fetch is reported as
 *   `KeySetUnavailable`, so the bridge answers 503 rather than a 401 that sends people to log in.
 */
export class RemoteKeySet {
  readonly #locate: () => Promise<string>;
  readonly #upstream: Upstream;
  readonly #clock: Clock;
  readonly #options: KeySetOptions;
  #keys: KeyGetter | null = null;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<void> | null = null;
  #lastError = "";

  /** `locate` gives the JWKS URL (fixed, or read from the issuer's discovery document). */
  constructor(locate: () => Promise<string>, upstream: Upstream, clock: Clock, options: KeySetOptions) {
    this.#locate = locate;
    this.#upstream = upstream;
    this.#clock = clock;
    this.#options = options;
  }

  /** The key for a token's header; for `jwtVerify(token, keySet.getKey)`. */
  readonly getKey = async (header: JWSHeaderParameters): Promise<CryptoKey> => {
    const now = this.#clock.now();
    if (now - this.#fetchedAt >= this.#options.maxAgeMs) await this.#refresh(now);
    const keys = this.#keys;
    if (keys === null) throw new KeySetUnavailable(this.#lastError);
    try {
      return await keys(header);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // A key we have not seen: the provider may have rotated. Ask again, once per cooldown.
      if (now - this.#attemptedAt < this.#options.cooldownMs) throw error;
      await this.#refresh(now);
      const fresh = this.#keys;
      if (fresh === null || fresh === keys) throw new KeySetUnavailable(this.#lastError);
      return fresh(header);
    }
  };

  /**
   * Fetches the set unless a fetch is under way or was tried within the cooldown. With no keys at
   * all every token waits on them, so then a second is enough between tries: the provider is
   * back in use a second after it recovers, and still never sees more than one fetch a second.
   */
  async #refresh(now: number): Promise<void> {
    const interval =
      this.#keys === null ? Math.min(1_000, this.#options.cooldownMs) : this.#options.cooldownMs;
    if (this.#pending === null && now - this.#attemptedAt >= interval) {
      this.#attemptedAt = now;
      this.#pending = this.#load()
        .then((keys) => {
          this.#keys = keys;
          this.#fetchedAt = this.#clock.now();
        })
        .catch((error) => {
          this.#lastError = error instanceof Error ? error.message : String(error);
          this.#options.onFailure?.(this.#lastError, this.#keys !== null);
        })
        .finally(() => {
          this.#pending = null;
        });
    }
    if (this.#pending !== null) await this.#pending;
  }

  async #load(): Promise<KeyGetter> {
    const url = await this.#locate();
    const set = await fetchJson(this.#upstream, url, this.#options.timeoutMs, "JWKS");
    return createLocalJWKSet(set as unknown as JSONWebKeySet);
  }
}

/** A discovery document or key set is a few KiB; more is not read (counted while read). */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** GETs a JSON document from an identity provider; throws with a reason on anything but 200 JSON. */
export async function fetchJson(
  upstream: Upstream,
  url: string,
  timeoutMs: number,
  what: string,
): Promise<Record<string, unknown>> {
  const response = await upstream(
    new Request(url, {
      headers: { accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    }),
  ).catch((error: unknown) => {
    throw new Error(`${what} ${url}: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`${what} ${url}: HTTP ${response.status}`);
  }
  const read = await readResponseWithLimit(response, MAX_DOCUMENT_BYTES);
  if (!read.ok) throw new Error(`${what} ${url}: larger than ${MAX_DOCUMENT_BYTES} bytes, or unreadable`);
  const parsed = parseJsonObject(read.bytes);
  if (!parsed.ok) throw new Error(`${what} ${url}: not a JSON object`);
  return parsed.json;
}

/** The JWKS URL from the issuer's OpenID discovery document, read once (until it succeeds). */
export function discoveredJwksUrl(
  issuer: string,
  upstream: Upstream,
  timeoutMs: number,
): () => Promise<string> {
  let found: string | null = null;
  return async () => {
    if (found !== null) return found;
    const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const document = await fetchJson(upstream, url, timeoutMs, "OpenID discovery");
    if (typeof document.jwks_uri !== "string" || !URL.canParse(document.jwks_uri))
      throw new Error(`OpenID discovery ${url}: no jwks_uri`);
    found = document.jwks_uri;
    return found;
  };
}

import type { Auth, Principal } from "../ports/auth.ts";
import type { Clock } from "../ports/clock.ts";
import { hashKey } from "./keys.ts";

export interface PrincipalLookup {
  principalForKeyHash(hash: string): Promise<Principal | null>;
}

/** Longest credential we hash: anything longer is not a Causeway key (AUTH-02 fuzzing). */
const MAX_CREDENTIAL_LENGTH = 512;

/**
 * Authenticates against the store by key hash, with a positive cache (TTL) so the hot path
 * rarely touches the database. Misses always ask the store; if it is down, the lookup throws and
 * the bridge fails closed (503). Revocations take effect within the TTL.
 */
export class StoreAuth implements Auth {
  readonly #cache = new Map<string, { principal: Principal; until: number }>();
  readonly #lookup: PrincipalLookup;
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(lookup: PrincipalLookup, clock: Clock, ttlMs = 60_000) {
    this.#lookup = lookup;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  async authenticate(credential: string): Promise<Principal | null> {
    if (credential.length === 0 || credential.length > MAX_CREDENTIAL_LENGTH) return null;
    // Cached by the credential itself: a hit costs one map lookup, no hashing. The cache lives
    // only in this process's memory, where the credential is anyway while the request runs.
    const now = this.#clock.now();
    const cached = this.#cache.get(credential);
    if (cached && cached.until > now) return cached.principal;
    this.#cache.delete(credential);
    const principal = await this.#lookup.principalForKeyHash(await hashKey(credential));
    if (principal && this.#ttlMs > 0) {
      if (this.#cache.size >= 10_000) this.#cache.clear();
      this.#cache.set(credential, { principal, until: now + this.#ttlMs });
    }
    return principal;
  }
}

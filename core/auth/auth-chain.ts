import type { Auth, Principal } from "../ports/auth.ts";
import type { Clock } from "../ports/clock.ts";
import type { CredentialVerifier } from "./verifier.ts";

/** Thrown when no method accepted and one could not decide: the bridge answers 503. */
export class AuthUnavailable extends Error {
  override readonly name = "AuthUnavailable";
}

/** Verdicts kept in memory at most; the oldest goes first (a flood of bad tokens only evicts). */
const MAX_CACHED = 10_000;
/** Longer credentials are refused unread. */
const MAX_CREDENTIAL_LENGTH = 16 * 1024;

/**
 * `auth.methods`, tried in order: the methods whose form the credential has are asked until one
 * accepts it. When none does and one of them could not decide (store or identity provider
 * down), the answer is "unavailable", never a refusal: clients retry a 503, a 401 sends people to
 * log in again. Verdicts are reused for as long as their method allows (positive and negative),
 * keyed by the credential itself, so a cached request costs one map lookup: the cache lives only
 * in this process's memory, where the credential is anyway while its request runs.
 */
export class AuthChain implements Auth {
  readonly #methods: readonly CredentialVerifier[];
  readonly #clock: Clock;
  readonly #cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(methods: readonly CredentialVerifier[], clock: Clock) {
    this.#methods = methods;
    this.#clock = clock;
  }

  async authenticate(credential: string): Promise<Principal | null> {
    if (credential.length === 0 || credential.length > MAX_CREDENTIAL_LENGTH) return null;
    const now = this.#clock.now();
    const cached = this.#cache.get(credential);
    if (cached !== undefined) {
      if (cached.until > now) return cached.principal;
      this.#cache.delete(credential);
    }
    let until = Number.POSITIVE_INFINITY;
    let unavailable: string | null = null;
    for (const method of this.#methods) {
      if (!method.claims(credential)) continue;
      const verdict = await method.verify(credential);
      if (verdict.kind === "accepted") {
        this.#remember(credential, verdict.principal, verdict.until);
        return verdict.principal;
      }
      if (verdict.kind === "rejected") until = Math.min(until, verdict.until);
      else unavailable ??= `${method.method}: ${verdict.reason}`;
    }
    if (unavailable !== null) throw new AuthUnavailable(unavailable);
    // A credential no method claims is refused at once, and not remembered (it cost nothing).
    if (until !== Number.POSITIVE_INFINITY) this.#remember(credential, null, until);
    return null;
  }

  #remember(credential: string, principal: Principal | null, until: number): void {
    if (until <= this.#clock.now()) return;
    if (this.#cache.size >= MAX_CACHED) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    this.#cache.set(credential, { principal, until });
  }
}

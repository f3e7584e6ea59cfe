/** Who is calling. Never holds the credential itself. */
export interface Principal {
  readonly userId: string;
  readonly name: string;
  readonly roles: readonly string[];
}

/**
 * Resolves a Causeway credential to a principal; `null` when unknown or revoked.
 * Throws when the backing store cannot answer: the bridge then fails closed with 503.
 */
export interface Auth {
  authenticate(credential: string): Promise<Principal | null>;
}

export class MemoryAuth implements Auth {
  readonly #byKey: Map<string, Principal>;
  constructor(entries: Iterable<readonly [string, Principal]> = []) {
    this.#byKey = new Map(entries);
  }
  add(key: string, principal: Principal): void {
    this.#byKey.set(key, principal);
  }
  revoke(key: string): void {
    this.#byKey.delete(key);
  }
  async authenticate(credential: string): Promise<Principal | null> {
    return this.#byKey.get(credential) ?? null;
  }
}

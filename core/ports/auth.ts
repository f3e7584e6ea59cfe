/** The methods a credential can be verified by, as `auth.methods` names them. */
export type AuthMethod = "keys" | "jwt" | "introspection";

/** Who is calling. Never holds the credential itself. */
export interface Principal {
  readonly userId: string;
  readonly name: string;
  /** `admin` for administrators (`users create --admin`, or a group in `admin_groups`). */
  readonly roles: readonly string[];
  /** Groups from the identity provider (JWT claim or introspection field); none for keys. */
  readonly groups?: readonly string[];
  /** How the credential was verified, and which Causeway key it was (`keys` only). */
  readonly auth?: { readonly method: AuthMethod; readonly keyId: string | null };
  /** The key's model scopes, anchored (see `core/auth/model-scopes.ts`). Absent: every model. */
  readonly models?: readonly RegExp[];
}

/**
 * Resolves a credential to a principal; `null` when unknown, revoked, expired or invalid.
 * Throws when what must vouch for it (the store, an identity provider) cannot answer: the bridge
 * then fails closed with 503 and `retry-after`, so clients retry rather than ask for a new login.
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

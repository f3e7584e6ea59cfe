import type { AuthMethod, Principal } from "../ports/auth.ts";

export type { Directory, ExternalIdentity, KeyRecord, UserRecord } from "../ports/directory.ts";

/**
 * What one auth method says about a credential. `until` (epoch ms) is how long the verdict may
 * be reused for the same credential. `unavailable`: whoever must vouch for it (the store, an
 * identity provider) did not answer, so nothing may be concluded.
 */
export type Verdict =
  | { readonly kind: "accepted"; readonly principal: Principal; readonly until: number }
  | { readonly kind: "rejected"; readonly until: number }
  | { readonly kind: "unavailable"; readonly reason: string };

/** One auth method of the chain (`auth.methods`). */
export interface CredentialVerifier {
  readonly method: AuthMethod;
  /** Whether the credential has this method's form; a method is asked only about its own kind. */
  claims(credential: string): boolean;
  /** Never throws: a failure to reach what vouches for the credential is `unavailable`. */
  verify(credential: string): Promise<Verdict>;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Users as the verifiers need them, implemented by the store (`core/store/user-store.ts`). Throws when the store is down.
 */
export interface Directory {
  /** The active key with this hash (not revoked, not expired at `now`, its user not disabled). */
  keyByHash(hash: string, now: number): Promise<KeyRecord | null>;
  /**
   * The user an identity provider vouches for, created on first sight (just in time). Found by
   * `origin` (which provider) and `subject` (its stable id), never by name: a name is only a label.
   */
  externalUser(identity: ExternalIdentity, now: number): Promise<UserRecord>;
}

export interface UserRecord {
  readonly id: string;
  readonly name: string;
  readonly isAdmin: boolean;
  readonly disabled: boolean;
}

export interface KeyRecord {
  readonly id: string;
  readonly user: UserRecord;
  readonly expiresAt: number | null;
  /** Model scopes as written; compiled by the verifier. */
  readonly models: readonly string[];
}

export interface ExternalIdentity {
  readonly origin: string;
  readonly subject: string;
  readonly name: string;
}

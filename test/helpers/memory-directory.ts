import type { Directory, ExternalIdentity, KeyRecord, UserRecord } from "../../core/ports/directory.ts";

/** Users in memory for the auth methods' tests; `sql-store` tests cover the real one. */
export class MemoryDirectory implements Directory {
  readonly users = new Map<string, UserRecord & { identity: string }>();
  readonly keys = new Map<string, KeyRecord & { revoked: boolean }>();
  down = false;

  async keyByHash(hash: string, now: number): Promise<KeyRecord | null> {
    if (this.down) throw new Error("store down");
    const key = this.keys.get(hash);
    if (!key || key.revoked || (key.expiresAt !== null && key.expiresAt <= now)) return null;
    return { ...key, user: this.#user(key.user.id) ?? key.user };
  }

  async externalUser(identity: ExternalIdentity): Promise<UserRecord> {
    if (this.down) throw new Error("store down");
    const id = `${identity.origin}|${identity.subject}`;
    const found = this.users.get(id);
    if (found) return found;
    const user = { id, name: identity.name, isAdmin: false, disabled: false, identity: id };
    this.users.set(id, user);
    return user;
  }

  disable(name: string): void {
    for (const [id, user] of this.users)
      if (user.name === name) this.users.set(id, { ...user, disabled: true });
  }

  #user(id: string): UserRecord | undefined {
    return this.users.get(id);
  }
}

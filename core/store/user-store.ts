import type { Directory, ExternalIdentity, KeyRecord, UserRecord } from "../ports/directory.ts";
import type { SqlClient, SqlRow, SqlValue } from "./sql-client.ts";
import type { KeyView, UserView } from "./views.ts";

/** A key to store: only its hash, and the short prefix operators tell keys apart by. */
export interface NewKey {
  readonly hash: string;
  readonly prefix: string;
  readonly expiresAt: number | null;
  /** Model scopes as written (regular expressions). */
  readonly models: readonly string[];
}

export type RevokeOutcome = "revoked" | "already-revoked" | "unknown";

/** A key's public id, derived from its hash (as migration 2 derived it for older keys). */
export function keyIdOf(hash: string): string {
  return `key_${hash.slice(0, 16)}`;
}

const iso = (ms: SqlValue | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();

/**
 * Users and their keys over any SqlClient, for the CLI (and later the admin API) and for the
 * auth methods (`Directory`). Users from an identity provider are found by origin and subject.
 */
export class UserStore implements Directory {
  readonly #sql: SqlClient;
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** A local user and its first key, in one transaction. */
  async createUser(
    user: { id: string; name: string; isAdmin: boolean },
    key: NewKey,
    now: number,
  ): Promise<string> {
    await this.#sql.transaction(async (tx) => {
      await tx.run("INSERT INTO users (id, name, is_admin, created_at) VALUES (?, ?, ?, ?)", [
        user.id,
        user.name,
        user.isAdmin ? 1 : 0,
        now,
      ]);
      await insertKey(tx, user.id, key, now);
    });
    return keyIdOf(key.hash);
  }

  async userByName(name: string): Promise<UserRecord | null> {
    const rows = await this.#sql.all("SELECT id, name, is_admin, disabled_at FROM users WHERE name = ?", [
      name,
    ]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  /** Adds a key to an existing user; returns its id. */
  async createKey(userId: string, key: NewKey, now: number): Promise<string> {
    await insertKey(this.#sql, userId, key, now);
    return keyIdOf(key.hash);
  }

  async listKeys(user: string | undefined, now: number): Promise<KeyView[]> {
    const rows = await this.#sql.all(
      `SELECT k.id, u.name, k.prefix, k.created_at, k.expires_at, k.revoked_at, k.models
       FROM api_keys k JOIN users u ON u.id = k.user_id
       ${user === undefined ? "" : "WHERE u.name = ?"} ORDER BY u.name, k.created_at, k.id`,
      user === undefined ? [] : [user],
    );
    return rows.map((row) => ({
      key_id: String(row.id),
      user: String(row.name),
      prefix: String(row.prefix),
      created_at: iso(row.created_at) ?? "",
      expires_at: iso(row.expires_at),
      revoked_at: iso(row.revoked_at),
      models: parseModels(row.models),
      status:
        row.revoked_at !== null
          ? "revoked"
          : row.expires_at !== null && Number(row.expires_at) <= now
            ? "expired"
            : "active",
    }));
  }

  async revokeKey(keyId: string, now: number): Promise<RevokeOutcome> {
    const rows = await this.#sql.all("SELECT revoked_at FROM api_keys WHERE id = ?", [keyId]);
    if (!rows[0]) return "unknown";
    if (rows[0].revoked_at !== null) return "already-revoked";
    await this.#sql.run("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [
      now,
      keyId,
    ]);
    return "revoked";
  }

  /** Revokes every key of a user; returns how many were active. */
  async revokeKeys(name: string, now: number): Promise<number> {
    return this.#sql.transaction(async (tx) => {
      const rows = await tx.all(
        "SELECT k.id FROM api_keys k JOIN users u ON u.id = k.user_id WHERE u.name = ? AND k.revoked_at IS NULL",
        [name],
      );
      await tx.run(
        "UPDATE api_keys SET revoked_at = ? WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE name = ?)",
        [now, name],
      );
      return rows.length;
    });
  }

  /** Disables (`at` set) or enables (`null`) a user; false when there is no such user. */
  async setDisabled(name: string, at: number | null): Promise<boolean> {
    const rows = await this.#sql.all("SELECT id FROM users WHERE name = ?", [name]);
    if (!rows[0]) return false;
    await this.#sql.run("UPDATE users SET disabled_at = ? WHERE id = ?", [at, String(rows[0].id)]);
    return true;
  }

  async listUsers(now: number): Promise<UserView[]> {
    const rows = await this.#sql.all(
      `SELECT u.name, u.is_admin, u.disabled_at, u.origin, u.created_at,
         (SELECT COUNT(*) FROM api_keys k WHERE k.user_id = u.id AND k.revoked_at IS NULL
            AND (k.expires_at IS NULL OR k.expires_at > ?)) AS active_keys
       FROM users u ORDER BY u.name`,
      [now],
    );
    return rows.map((row) => ({
      user: String(row.name),
      admin: Number(row.is_admin) === 1,
      disabled: row.disabled_at !== null,
      origin: String(row.origin),
      created_at: iso(row.created_at) ?? "",
      active_keys: Number(row.active_keys),
    }));
  }

  async keyByHash(hash: string, now: number): Promise<KeyRecord | null> {
    const rows = await this.#sql.all(
      `SELECT k.id AS key_id, k.expires_at, k.models, u.id, u.name, u.is_admin, u.disabled_at
       FROM api_keys k JOIN users u ON u.id = k.user_id
       WHERE k.hash = ? AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?)`,
      [hash, now],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: String(row.key_id),
      user: toUser(row),
      expiresAt: row.expires_at === null ? null : Number(row.expires_at),
      models: parseModels(row.models),
    };
  }

  /**
   * The user an identity provider vouches for; created on first sight. Its name follows the
   * provider's (when free). A name already held by another user (a local one, or another
   * provider's) is never taken over: the newcomer gets the name plus a short tag of its identity.
   */
  async externalUser(identity: ExternalIdentity, now: number): Promise<UserRecord> {
    const found = await this.#byIdentity(identity);
    if (found !== null) {
      // Unchanged, or still the tagged namesake of a name someone else holds: nothing to write.
      if (found.name === identity.name || found.name.startsWith(`${identity.name}~`)) return found;
      await this.#sql
        .run("UPDATE users SET name = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM users WHERE name = ?)", [
          identity.name,
          found.id,
          identity.name,
        ])
        .catch(() => {});
      return (await this.#byIdentity(identity)) ?? found;
    }
    const digest = await identityDigest(identity);
    const taken = (await this.#sql.all("SELECT id FROM users WHERE name = ?", [identity.name])).length > 0;
    const name = taken ? `${identity.name}~${digest.slice(0, 6)}` : identity.name;
    try {
      // The id derives from the identity: instances creating the same user at once collide on it.
      await this.#sql.run(
        "INSERT INTO users (id, name, is_admin, created_at, origin, subject) VALUES (?, ?, 0, ?, ?, ?)",
        [`usr_${digest.slice(0, 32)}`, name, now, identity.origin, identity.subject],
      );
    } catch (error) {
      // Another instance created the same user a moment ago: use theirs.
      const raced = await this.#byIdentity(identity);
      if (raced === null) throw error;
      return raced;
    }
    const created = await this.#byIdentity(identity);
    if (created === null) throw new Error("user vanished after insert");
    return created;
  }

  async #byIdentity(identity: ExternalIdentity): Promise<UserRecord | null> {
    const rows = await this.#sql.all(
      "SELECT id, name, is_admin, disabled_at FROM users WHERE origin = ? AND subject = ?",
      [identity.origin, identity.subject],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }
}

async function insertKey(sql: SqlClient, userId: string, key: NewKey, now: number): Promise<void> {
  await sql.run(
    "INSERT INTO api_keys (hash, user_id, prefix, created_at, id, expires_at, models) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [
      key.hash,
      userId,
      key.prefix,
      now,
      keyIdOf(key.hash),
      key.expiresAt,
      key.models.length > 0 ? JSON.stringify(key.models) : null,
    ],
  );
}

function toUser(row: SqlRow): UserRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    isAdmin: Number(row.is_admin) === 1,
    disabled: row.disabled_at !== null,
  };
}

function parseModels(value: SqlValue | undefined): string[] {
  if (typeof value !== "string") return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === "string") : [];
  } catch {
    return [];
  }
}

/** SHA-256 hex of origin and subject: the user's id, and the tag that tells namesakes apart. */
async function identityDigest(identity: ExternalIdentity): Promise<string> {
  const bytes = new TextEncoder().encode(`${identity.origin}\n${identity.subject}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

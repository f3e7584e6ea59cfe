import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../adapters/store/postgres.ts";
import { hashKey } from "../../core/auth/keys.ts";
import { MIGRATIONS } from "../../core/store/schema.ts";
import { SqlStore } from "../../core/store/sql-store.ts";
import { keyIdOf, type NewKey } from "../../core/store/user-store.ts";
import { freshDatabase } from "./pg.ts";

const NOW = Date.parse("2026-12-01T00:00:00Z");
const key = async (secret: string, extra: Partial<NewKey> = {}): Promise<NewKey> => ({
  hash: await hashKey(secret),
  prefix: secret.slice(0, 9),
  expiresAt: null,
  models: [],
  ...extra,
});

/** Users and keys on a real PostgreSQL database: the store half of identity (SQLite runs the same SQL in the e2e tests). */
describe("the user store on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let store: SqlStore;
  beforeAll(async () => {
    database = await freshDatabase("users");
    store = new SqlStore(openPostgres(database.url, { max: 4 }));
    await store.migrate(NOW);
  });
  afterAll(async () => {
    await store?.sql.close();
    await database?.drop();
  });

  it("finds a key by hash only while it is active: not revoked, not expired, its user not disabled", async () => {
    const users = store.users;
    const first = await key("cw_first");
    const id = await users.createUser({ id: "usr_k", name: "kim", isAdmin: true }, first, NOW);
    expect(id).toBe(keyIdOf(first.hash));
    const found = await users.keyByHash(first.hash, NOW);
    expect(found).toMatchObject({
      id,
      expiresAt: null,
      models: [],
      user: { name: "kim", isAdmin: true, disabled: false },
    });

    const short = await key("cw_short", { expiresAt: NOW + 1000, models: ["claude-.*"] });
    const shortId = await users.createKey("usr_k", short, NOW);
    expect(await users.keyByHash(short.hash, NOW + 999)).toMatchObject({
      id: shortId,
      models: ["claude-.*"],
    });
    expect(await users.keyByHash(short.hash, NOW + 1000)).toBeNull();

    await users.setDisabled("kim", NOW);
    expect((await users.keyByHash(first.hash, NOW))?.user.disabled).toBe(true);
    await users.setDisabled("kim", null);
    expect(await users.revokeKey(id, NOW)).toBe("revoked");
    expect(await users.revokeKey(id, NOW)).toBe("already-revoked");
    expect(await users.revokeKey("key_nope", NOW)).toBe("unknown");
    expect(await users.keyByHash(first.hash, NOW)).toBeNull();

    const listed = await users.listKeys("kim", NOW + 2000);
    expect(Object.fromEntries(listed.map((k) => [k.key_id, k.status]))).toEqual({
      [id]: "revoked",
      [shortId]: "expired",
    });
    expect(JSON.stringify(listed)).not.toContain(first.hash);
  });

  it("creates a user from an identity provider once, by origin and subject, even when instances race", async () => {
    const identity = { origin: "jwt:https://idp.example", subject: "sub-1", name: "lee" };
    const created = await Promise.all(
      Array.from({ length: 8 }, () => store.users.externalUser(identity, NOW)),
    );
    expect(new Set(created.map((u) => u.id)).size).toBe(1);
    expect(created[0]).toMatchObject({ name: "lee", isAdmin: false, disabled: false });
    const rows = await store.sql.all("SELECT origin, subject FROM users WHERE name = 'lee'");
    expect(rows).toEqual([{ origin: identity.origin, subject: "sub-1" }]);
  });

  it("never hands a taken name to another identity, and follows a rename when the name is free", async () => {
    await store.users.createUser(
      { id: "usr_local_max", name: "max", isAdmin: true },
      await key("cw_max"),
      NOW,
    );
    const impostor = await store.users.externalUser(
      { origin: "jwt:https://idp.example", subject: "sub-2", name: "max" },
      NOW,
    );
    expect(impostor.name).toMatch(/^max~[0-9a-f]{6}$/);
    expect(impostor.isAdmin).toBe(false);
    const renamed = await store.users.externalUser(
      { origin: "jwt:https://idp.example", subject: "sub-2", name: "maxine" },
      NOW,
    );
    expect(renamed).toMatchObject({ id: impostor.id, name: "maxine" });
  });

  it("upgrades a version-1 database: its keys keep working and get ids derived from their hash", async () => {
    const old = await freshDatabase("upgrade");
    const sql = openPostgres(old.url, { max: 1 });
    try {
      await sql.run(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
      );
      for (const statement of MIGRATIONS[0]!.statements) await sql.run(statement);
      await sql.run("INSERT INTO schema_migrations VALUES (1, 0)");
      const legacy = await hashKey("cw_legacy");
      await sql.run("INSERT INTO users (id, name, is_admin, created_at) VALUES ('usr_old', 'olda', 0, 0)");
      await sql.run(
        "INSERT INTO api_keys (hash, user_id, prefix, created_at) VALUES (?, 'usr_old', 'cw_leg', 0)",
        [legacy],
      );

      const upgraded = new SqlStore(sql);
      await upgraded.migrate(NOW);
      expect(await upgraded.users.keyByHash(legacy, NOW)).toMatchObject({
        id: keyIdOf(legacy),
        user: { name: "olda" },
      });
      expect((await upgraded.users.listUsers(NOW))[0]).toMatchObject({
        user: "olda",
        origin: "local",
        active_keys: 1,
      });
    } finally {
      await sql.close();
      await old.drop();
    }
  });
});

/**
 * The store's schema, shared by SQLite and PostgreSQL: only types and statements both accept.
 * Timestamps are epoch milliseconds (BIGINT), booleans are 0/1. Append-only: a released
 * migration is never edited, a new one is added.
 */
export const MIGRATIONS: readonly { readonly version: number; readonly statements: readonly string[] }[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE users (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        is_admin INTEGER NOT NULL,
        created_at BIGINT NOT NULL
      )`,
      `CREATE TABLE api_keys (
        hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        prefix TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
      )`,
      `CREATE TABLE interceptions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        user_name TEXT NOT NULL,
        provider TEXT NOT NULL,
        api TEXT NOT NULL,
        model TEXT NOT NULL,
        streaming INTEGER NOT NULL,
        client TEXT NOT NULL,
        session_id TEXT,
        user_agent TEXT,
        started_at BIGINT NOT NULL,
        day TEXT NOT NULL,
        ended_at BIGINT,
        status TEXT,
        http_status INTEGER,
        detail TEXT
      )`,
      "CREATE INDEX interceptions_started ON interceptions (started_at)",
      "CREATE INDEX interceptions_user ON interceptions (user_name, started_at)",
      `CREATE TABLE token_usages (
        interception_id TEXT NOT NULL,
        turn INTEGER NOT NULL,
        input BIGINT NOT NULL,
        output BIGINT NOT NULL,
        cache_read BIGINT NOT NULL,
        cache_write BIGINT NOT NULL,
        reasoning BIGINT NOT NULL,
        PRIMARY KEY (interception_id, turn)
      )`,
      `CREATE TABLE prompts (
        interception_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (interception_id, seq)
      )`,
      `CREATE TABLE tool_usages (
        interception_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        call_id TEXT NOT NULL,
        injected INTEGER NOT NULL,
        server TEXT,
        args TEXT NOT NULL,
        error TEXT,
        duration_ms BIGINT,
        PRIMARY KEY (interception_id, seq)
      )`,
      `CREATE TABLE thoughts (
        interception_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (interception_id, seq)
      )`,
    ],
  },
  {
    // Identity: several keys per user with ids, expiry and model scopes; users that are disabled or
    // come from an identity provider (just in time, by issuer and subject); how each interception
    // was authenticated.
    version: 2,
    statements: [
      "ALTER TABLE users ADD COLUMN disabled_at BIGINT",
      "ALTER TABLE users ADD COLUMN origin TEXT NOT NULL DEFAULT 'local'",
      "ALTER TABLE users ADD COLUMN subject TEXT",
      "CREATE UNIQUE INDEX users_identity ON users (origin, subject)",
      "ALTER TABLE api_keys ADD COLUMN id TEXT",
      "ALTER TABLE api_keys ADD COLUMN expires_at BIGINT",
      "ALTER TABLE api_keys ADD COLUMN models TEXT",
      // Keys made before ids existed get the id a new key would get: derived from the hash.
      "UPDATE api_keys SET id = 'key_' || substr(hash, 1, 16) WHERE id IS NULL",
      "CREATE UNIQUE INDEX api_keys_id ON api_keys (id)",
      "CREATE INDEX api_keys_user ON api_keys (user_id)",
      "ALTER TABLE interceptions ADD COLUMN auth_method TEXT",
      "ALTER TABLE interceptions ADD COLUMN key_id TEXT",
    ],
  },
  {
    // Upstream resilience: how many requests an interception sent upstream, and with which key.
    version: 3,
    statements: [
      "ALTER TABLE interceptions ADD COLUMN attempts INTEGER",
      "ALTER TABLE interceptions ADD COLUMN key_index INTEGER",
    ],
  },
  {
    // Usage limits shared by every instance on one database: each user's use per limit window.
    // A row's use is charged before a request is sent and settled to the request's real use.
    version: 4,
    statements: [
      `CREATE TABLE usage_windows (
        subject TEXT NOT NULL,
        limit_name TEXT NOT NULL,
        window_start BIGINT NOT NULL,
        used BIGINT NOT NULL,
        max_value BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (subject, limit_name, window_start)
      )`,
    ],
  },
];

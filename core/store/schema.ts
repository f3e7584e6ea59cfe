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
];

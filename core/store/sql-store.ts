import type { AuthMethod } from "../ports/auth.ts";
import type { AuditEntry } from "../ports/recorder.ts";
import { MIGRATIONS } from "./schema.ts";
import type { SqlClient, SqlRow, SqlValue } from "./sql-client.ts";
import { UserStore } from "./user-store.ts";
import type { InterceptionFilter, InterceptionView, SpendRow, UsageGrouping, UsageRow } from "./views.ts";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const num = (value: SqlValue | undefined): number =>
  value === null || value === undefined ? 0 : Number(value);
const str = (value: SqlValue | undefined): string | null =>
  value === null || value === undefined ? null : String(value);

/**
 * Users, keys and the audit trail over any SqlClient: every query lives here, written once for
 * SQLite and PostgreSQL alike. All statements are parameterised (AUTH-02).
 */
export class SqlStore {
  readonly sql: SqlClient;
  /** Users and keys; also what the auth methods look credentials up in. */
  readonly users: UserStore;
  constructor(sql: SqlClient) {
    this.sql = sql;
    this.users = new UserStore(sql);
  }

  /**
   * Applies pending migrations in one transaction. Instances that start together on one
   * PostgreSQL database queue on an advisory lock (SQLite's BEGIN IMMEDIATE does the same), so
   * the second one sees the first one's migrations instead of racing it.
   */
  async migrate(now: number): Promise<void> {
    await this.sql.transaction(async (tx) => {
      if (tx.dialect === "postgres") await tx.all("SELECT pg_advisory_xact_lock(4242001)");
      await tx.run(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
      );
      const applied = new Set(
        (await tx.all("SELECT version FROM schema_migrations")).map((r) => num(r.version)),
      );
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        for (const statement of migration.statements) await tx.run(statement);
        await tx.run("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", [
          migration.version,
          now,
        ]);
      }
    });
  }

  /** Writes a batch of audit entries in one transaction; replaying a batch is harmless. */
  async writeAudit(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.sql.transaction(async (tx) => {
      for (const entry of entries) await writeEntry(tx, entry);
    });
  }

  async listInterceptions(filter: InterceptionFilter): Promise<InterceptionView[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.user !== undefined) {
      where.push("user_name = ?");
      params.push(filter.user);
    }
    if (filter.since !== undefined) {
      where.push("started_at >= ?");
      params.push(filter.since);
    }
    if (filter.before !== undefined) {
      // Written so that SQLite range-scans the started_at index; the plain OR form sorts the table.
      where.push("started_at <= ? AND (started_at < ? OR id < ?)");
      params.push(filter.before.startedAt, filter.before.startedAt, filter.before.id);
    }
    params.push(filter.limit);
    const rows = await this.sql.all(
      `SELECT * FROM interceptions ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC, id DESC LIMIT ?`,
      params,
    );
    if (rows.length === 0) return [];
    const ids = rows.map((r) => String(r.id));
    const marks = ids.map(() => "?").join(", ");
    const [usages, prompts, tools, thoughts] = await Promise.all([
      this.sql.all(`SELECT * FROM token_usages WHERE interception_id IN (${marks})`, ids),
      this.sql.all(`SELECT * FROM prompts WHERE interception_id IN (${marks}) ORDER BY seq`, ids),
      this.sql.all(`SELECT * FROM tool_usages WHERE interception_id IN (${marks}) ORDER BY seq`, ids),
      this.sql.all(`SELECT * FROM thoughts WHERE interception_id IN (${marks}) ORDER BY seq`, ids),
    ]);
    const views = new Map(rows.map((row) => [String(row.id), toView(row)] as const));
    for (const u of usages) {
      const tokens = views.get(String(u.interception_id))?.tokens;
      if (!tokens) continue;
      tokens.input += num(u.input);
      tokens.output += num(u.output);
      tokens.cache_read += num(u.cache_read);
      tokens.cache_write += num(u.cache_write);
      tokens.reasoning += num(u.reasoning);
    }
    for (const p of prompts) views.get(String(p.interception_id))?.prompts.push(String(p.text));
    for (const t of thoughts) views.get(String(t.interception_id))?.thoughts.push(String(t.text));
    for (const t of tools) {
      views.get(String(t.interception_id))?.tools.push({
        name: String(t.name),
        call_id: String(t.call_id),
        injected: num(t.injected) === 1,
        server: str(t.server),
        args: parseArgs(String(t.args)),
        error: str(t.error),
      });
    }
    return [...views.values()];
  }

  /**
   * Gives interceptions started before `startedBefore` and never ended (their process died: a
   * crash, a kill, an out-of-memory) the terminal status `failed`, so every interception ends
   * exactly once even across a restart. Returns how many it closed.
   */
  async closeAbandoned(startedBefore: number, now: number): Promise<number> {
    const closed = await this.sql.all(
      `UPDATE interceptions SET ended_at = ?, status = 'failed', detail = ?
       WHERE ended_at IS NULL AND started_at < ? RETURNING id`,
      [now, ABANDONED, startedBefore],
    );
    return closed.length;
  }

  /** Tokens per user, model and UTC day of interceptions started since `since` (core/policy/audited-spend.ts). */
  async spendSince(since: number): Promise<SpendRow[]> {
    const rows = await this.sql.all(
      `SELECT i.user_id AS user_id, i.user_name AS user_name, i.model AS model, i.day AS day,
         SUM(t.input) AS input, SUM(t.output) AS output, SUM(t.cache_read) AS cache_read,
         SUM(t.cache_write) AS cache_write, SUM(t.reasoning) AS reasoning
       FROM interceptions i JOIN token_usages t ON t.interception_id = i.id
       WHERE i.started_at >= ?
       GROUP BY i.user_id, i.user_name, i.model, i.day`,
      [since],
    );
    return rows.map((r) => ({
      userId: String(r.user_id),
      userName: String(r.user_name),
      model: String(r.model),
      day: String(r.day),
      tokens: {
        input: num(r.input),
        output: num(r.output),
        cacheRead: num(r.cache_read),
        cacheWrite: num(r.cache_write),
        reasoning: num(r.reasoning),
      },
    }));
  }

  async usage(grouping: UsageGrouping, since: number | undefined): Promise<UsageRow[]> {
    const column = grouping === "user" ? "i.user_name" : grouping === "model" ? "i.model" : "i.day";
    const rows = await this.sql.all(
      `SELECT ${column} AS k, COUNT(DISTINCT i.id) AS n,
         COALESCE(SUM(t.input), 0) AS input, COALESCE(SUM(t.output), 0) AS output,
         COALESCE(SUM(t.cache_read), 0) AS cache_read, COALESCE(SUM(t.cache_write), 0) AS cache_write,
         COALESCE(SUM(t.reasoning), 0) AS reasoning
       FROM interceptions i LEFT JOIN token_usages t ON t.interception_id = i.id
       ${since !== undefined ? "WHERE i.started_at >= ?" : ""}
       GROUP BY ${column} ORDER BY ${column}`,
      since !== undefined ? [since] : [],
    );
    return rows.map((r) => {
      const tokens = {
        input: num(r.input),
        output: num(r.output),
        cache_read: num(r.cache_read),
        cache_write: num(r.cache_write),
        reasoning: num(r.reasoning),
      };
      return {
        key: String(r.k),
        interceptions: num(r.n),
        tokens: { ...tokens, total: tokens.input + tokens.output + tokens.cache_read + tokens.cache_write },
      };
    });
  }
}

const ABANDONED = "the bridge stopped before this interception ended; usage is partial";

async function writeEntry(tx: SqlClient, entry: AuditEntry): Promise<void> {
  switch (entry.kind) {
    case "interception-start":
      return tx.run(
        `INSERT INTO interceptions (id, user_id, user_name, provider, api, model, streaming, client, session_id, user_agent, started_at, day, auth_method, key_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        [
          entry.id,
          entry.userId,
          entry.userName,
          entry.provider,
          entry.api,
          entry.model,
          entry.streaming ? 1 : 0,
          entry.client,
          entry.sessionId,
          entry.userAgent,
          entry.startedAt,
          new Date(entry.startedAt).toISOString().slice(0, 10),
          // Absent from entries spooled before these fields existed.
          entry.authMethod ?? null,
          entry.keyId ?? null,
        ],
      );
    case "token-usage": {
      const t = entry.tokens;
      return tx.run(
        `INSERT INTO token_usages (interception_id, turn, input, output, cache_read, cache_write, reasoning)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (interception_id, turn) DO NOTHING`,
        [entry.interceptionId, entry.turn, t.input, t.output, t.cacheRead, t.cacheWrite, t.reasoning],
      );
    }
    case "prompt":
      return tx.run(
        "INSERT INTO prompts (interception_id, seq, text) VALUES (?, ?, ?) ON CONFLICT (interception_id, seq) DO NOTHING",
        [entry.interceptionId, entry.seq, entry.text],
      );
    case "thought":
      return tx.run(
        "INSERT INTO thoughts (interception_id, seq, text) VALUES (?, ?, ?) ON CONFLICT (interception_id, seq) DO NOTHING",
        [entry.interceptionId, entry.seq, entry.text],
      );
    case "tool-usage":
      return tx.run(
        `INSERT INTO tool_usages (interception_id, seq, name, call_id, injected, server, args, error, duration_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (interception_id, seq) DO NOTHING`,
        [
          entry.interceptionId,
          entry.seq,
          entry.name,
          entry.callId,
          entry.injected ? 1 : 0,
          entry.server,
          entry.args,
          entry.error,
          entry.durationMs,
        ],
      );
    case "interception-end":
      return tx.run(
        "UPDATE interceptions SET ended_at = ?, status = ?, http_status = ?, detail = ?, attempts = ?, key_index = ? WHERE id = ? AND ended_at IS NULL",
        [
          entry.endedAt,
          entry.status,
          entry.httpStatus,
          entry.detail,
          // Absent from entries spooled before these fields existed.
          entry.attempts ?? null,
          entry.keyIndex ?? null,
          entry.interceptionId,
        ],
      );
  }
}

function toView(row: SqlRow): InterceptionView {
  return {
    id: String(row.id),
    user: String(row.user_name),
    provider: String(row.provider),
    api: String(row.api) as InterceptionView["api"],
    model: String(row.model),
    streaming: num(row.streaming) === 1,
    client: String(row.client),
    session_id: str(row.session_id),
    user_agent: str(row.user_agent),
    started_at: iso(num(row.started_at)) ?? "",
    ended_at: iso(row.ended_at === null ? null : num(row.ended_at)),
    status: str(row.status) as InterceptionView["status"],
    http_status: row.http_status === null ? null : num(row.http_status),
    auth: { method: str(row.auth_method) as AuthMethod | null, key_id: str(row.key_id) },
    upstream: {
      attempts: row.attempts === null || row.attempts === undefined ? null : num(row.attempts),
      key_index: row.key_index === null || row.key_index === undefined ? null : num(row.key_index),
    },
    tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 },
    prompts: [],
    tools: [],
    thoughts: [],
  };
}

function parseArgs(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../adapters/store/postgres.ts";
import type { InterceptionStart } from "../../core/ports/recorder.ts";
import { SqlStore } from "../../core/store/sql-store.ts";
import { freshDatabase } from "./pg.ts";

const NOW = Date.parse("2026-12-02T12:00:00Z");
const HOUR = 60 * 60_000;

const start = (id: string, startedAt: number): InterceptionStart => ({
  kind: "interception-start",
  id,
  userId: "u1",
  userName: "alice",
  authMethod: "keys",
  keyId: null,
  provider: "anthropic",
  api: "anthropic.messages",
  model: "claude-x",
  streaming: true,
  client: "unknown",
  sessionId: null,
  userAgent: null,
  startedAt,
});

/** Crash recovery on a shared store: only interceptions older than the cutoff are closed, once. */
describe("closing interceptions a dead process left open, on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let store: SqlStore;
  beforeAll(async () => {
    database = await freshDatabase("abandoned");
    store = new SqlStore(openPostgres(database.url, { max: 2 }));
    await store.migrate(NOW);
  });
  afterAll(async () => {
    await store?.sql.close();
    await database?.drop();
  });

  it("closes the old open ones as failed, leaves recent and ended ones alone", async () => {
    await store.writeAudit([
      start("int_old", NOW - 48 * HOUR),
      start("int_recent", NOW - HOUR),
      start("int_done", NOW - 48 * HOUR),
      {
        kind: "interception-end",
        interceptionId: "int_done",
        endedAt: NOW - 47 * HOUR,
        status: "completed",
        httpStatus: 200,
        detail: null,
        attempts: 1,
        keyIndex: 0,
      },
    ]);
    expect(await store.closeAbandoned(NOW - 24 * HOUR, NOW)).toBe(1);
    expect(await store.closeAbandoned(NOW - 24 * HOUR, NOW)).toBe(0);
    const byId = new Map((await store.listInterceptions({ limit: 10 })).map((row) => [row.id, row]));
    expect(byId.get("int_old")?.status).toBe("failed");
    expect(byId.get("int_recent")?.status).toBeNull();
    expect(byId.get("int_done")?.status).toBe("completed");
  });
});

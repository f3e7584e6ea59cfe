/**
 * Seeds a store with COUNT finished interceptions in a few SQL statements (a recursive CTE works on
 * SQLite and PostgreSQL alike), far faster than COUNT requests through the bridge.
 *
 *   bun test/helpers/seed-interceptions.ts CAUSEWAY_DB COUNT [USER_NAME [MODEL]]
 *
 * Interception i (1..COUNT) has id `icp_seed_<1000000+i>`, user USER_NAME (default `seed`),
 * model MODEL (default `claude-seed`), one prompt "prompt <i>"
 * and input=i tokens; ten at a time share a started_at millisecond, so a listing has to order
 * ties by id. Newest first is therefore i = COUNT down to 1.
 */

import { bunRuntime } from "../../adapters/bun/runtime.ts";
import { SqlStore } from "../../core/store/sql-store.ts";

const SEED_BASE_MS = Date.parse("2026-06-01T12:00:00Z");

const [db, countText, userName = "seed", model = "claude-seed"] = process.argv.slice(2);
const count = Number(countText);
if (!db || !Number.isInteger(count) || count < 1) {
  process.stderr.write(
    "usage: bun test/helpers/seed-interceptions.ts CAUSEWAY_DB COUNT [USER_NAME [MODEL]]\n",
  );
  process.exit(2);
}

const store = new SqlStore(await bunRuntime.openSql(db));
await store.migrate(Date.now());
const numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)";
const id = "'icp_seed_' || (1000000 + i)";
await store.sql.transaction(async (tx) => {
  await tx.run(
    `${numbers} INSERT INTO interceptions (id, user_id, user_name, provider, api, model, streaming, client,
       session_id, user_agent, started_at, day, ended_at, status, http_status, detail)
     SELECT ${id}, 'usr_seed', ?, 'anthropic', 'anthropic.messages', ?, 0, 'unknown',
       NULL, 'seed/1', CAST(? AS BIGINT) + (i / 10), '2026-06-01', CAST(? AS BIGINT) + (i / 10) + 5, 'completed', 200, NULL FROM n`,
    [count, userName, model, SEED_BASE_MS, SEED_BASE_MS],
  );
  await tx.run(
    `${numbers} INSERT INTO token_usages (interception_id, turn, input, output, cache_read, cache_write, reasoning)
     SELECT ${id}, 0, i, 1, 0, 0, 0 FROM n`,
    [count],
  );
  await tx.run(
    `${numbers} INSERT INTO prompts (interception_id, seq, text) SELECT ${id}, 0, 'prompt ' || i FROM n`,
    [count],
  );
});
await store.sql.close();
process.exit(0);

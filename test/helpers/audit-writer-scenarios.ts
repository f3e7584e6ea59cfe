/**
 * Runs on Bun (bun:sqlite and Worker are Bun's): `bun audit-writer-scenarios.ts SCENARIO DIR`.
 * Each scenario drives the real WorkerAuditSink against real SQLite files in DIR and prints one
 * JSON result line for adapters/store/worker-audit-sink.test.ts to check.
 */
import { join } from "node:path";
import { bunRuntime } from "../../adapters/bun/runtime.ts";
import { resolveSettings } from "../../adapters/config/load.ts";
import { createApp } from "../../adapters/runtime/app.ts";
import { systemClock } from "../../adapters/runtime/system-ports.ts";
import { FileAuditSpool } from "../../adapters/store/audit-spool.ts";
import { openBunSqlite } from "../../adapters/store/bun-sqlite.ts";
import { WorkerAuditSink } from "../../adapters/store/worker-audit-sink.ts";
import { BatchingRecorder } from "../../core/audit/batching-recorder.ts";
import type { AuditEntry } from "../../core/ports/recorder.ts";
import type { SqlClient } from "../../core/store/sql-client.ts";
import { SqlStore } from "../../core/store/sql-store.ts";

const [scenario, dir] = process.argv.slice(2) as [string, string];
const TABLES = ["interceptions", "token_usages", "prompts", "thoughts", "tool_usages"];
const silent = { debug() {}, info() {}, warn() {}, error() {} };

async function freshStore(name: string): Promise<{ path: string; store: SqlStore }> {
  const path = join(dir, name);
  const store = new SqlStore(openBunSqlite(path));
  await store.migrate(1);
  return { path, store };
}

/** Every audit row with its rowid: equal dumps mean the same rows inserted in the same order. */
async function dump(sql: SqlClient): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES)
    out[table] = await sql.all(`SELECT rowid AS _rowid, * FROM ${table} ORDER BY rowid`);
  return out;
}

/** One interception of every entry kind, with the odd characters real prompts have. */
function interception(n: number): AuditEntry[] {
  const id = `int_${String(n).padStart(4, "0")}`;
  return [
    {
      kind: "interception-start",
      id,
      userId: "u1",
      userName: "alice",
      authMethod: "keys",
      keyId: "key_0123456789abcdef",
      provider: "anthropic",
      api: "anthropic.messages",
      model: "claude-x",
      streaming: n % 2 === 0,
      client: "claude-code",
      sessionId: n % 3 === 0 ? null : `s${n}`,
      userAgent: null,
      startedAt: 1_700_000_000_000 + n,
    },
    { kind: "prompt", interceptionId: id, seq: 0, text: `prompt ${n}: "quotes", \n newline, ünïcödé ✓` },
    { kind: "thought", interceptionId: id, seq: 1, text: `thinking ${n}` },
    {
      kind: "tool-usage",
      interceptionId: id,
      seq: 2,
      name: "read_file",
      callId: `call_${n}`,
      injected: n % 2 === 1,
      server: n % 2 === 1 ? "fs" : null,
      args: JSON.stringify({ path: `/tmp/${n}` }),
      error: null,
      durationMs: n % 2 === 1 ? 12 : null,
    },
    {
      kind: "token-usage",
      interceptionId: id,
      turn: 0,
      tokens: { input: n, output: 2 * n, cacheRead: 3, cacheWrite: 4, reasoning: 5 },
    },
    {
      kind: "interception-end",
      interceptionId: id,
      status: "completed",
      httpStatus: 200,
      endedAt: 1_700_000_001_000 + n,
      detail: null,
      attempts: 1,
      keyIndex: 0,
    },
  ];
}

const prompt = (seq: number): AuditEntry => ({
  kind: "prompt",
  interceptionId: "int_order",
  seq,
  text: `p${seq}`,
});
const promptSeqs = async (sql: SqlClient) =>
  (await sql.all("SELECT seq FROM prompts ORDER BY rowid")).map((r) => Number(r.seq));

async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await Bun.sleep(20)) if (await check()) return true;
  return check();
}

const scenarios: Record<string, () => Promise<unknown>> = {
  /** The same batches through SqlStore.writeAudit and through the worker, replay included. */
  async "same-rows"() {
    const entries = Array.from({ length: 40 }, (_, n) => interception(n)).flat();
    const batches: AuditEntry[][] = [];
    for (let i = 0; i < entries.length; i += 7) batches.push(entries.slice(i, i + 7));
    batches.push(batches[3]!); // a replayed batch (spool replay after a timed-out write)
    const direct = await freshStore("direct.db");
    const viaWorker = await freshStore("worker.db");
    const sink = new WorkerAuditSink(viaWorker.path);
    for (const batch of batches) {
      await direct.store.writeAudit(batch);
      await sink.writeAudit(batch);
    }
    await sink.close();
    return { direct: await dump(direct.store.sql), worker: await dump(viaWorker.store.sql) };
  },

  /** Many batches: through the recorder (one write at a time), and posted all at once. */
  async order() {
    const viaRecorder = await freshStore("recorder.db");
    const sink = new WorkerAuditSink(viaRecorder.path);
    const recorder = new BatchingRecorder(sink, systemClock, silent, { maxBatch: 7, maxDelayMs: 1 });
    for (let seq = 0; seq < 3000; seq++) {
      recorder.record(prompt(seq));
      if (seq % 100 === 0) await Bun.sleep(1);
    }
    await recorder.close();
    await sink.close();

    const posted = await freshStore("posted.db");
    const eager = new WorkerAuditSink(posted.path);
    const writes = Array.from({ length: 500 }, (_, b) =>
      eager.writeAudit([prompt(2 * b), prompt(2 * b + 1)]),
    );
    await Promise.all(writes);
    await eager.close();
    return { recorder: await promptSeqs(viaRecorder.store.sql), posted: await promptSeqs(posted.store.sql) };
  },

  /** A failing write rejects; the recorder spools, then replays once the store is back. */
  async "write-error"() {
    const { path, store } = await freshStore("broken.db");
    const sink = new WorkerAuditSink(path);
    await sink.writeAudit([prompt(0)]);
    // A real SQLite error on the worker's connection (chmod cannot make the file read-only for root).
    await store.sql.run("ALTER TABLE prompts RENAME TO prompts_away");
    const rejected = await sink.writeAudit([prompt(1)]).then(
      () => null,
      (error: Error) => error.message,
    );
    const spool = new FileAuditSpool(join(dir, "spool.jsonl"));
    const recorder = new BatchingRecorder(sink, systemClock, silent, { retryMs: 50, maxDelayMs: 1 }, spool);
    for (let seq = 1; seq <= 20; seq++) recorder.record(prompt(seq));
    await recorder.flush();
    const spooledWhileDown = recorder.spooledBytes;
    await store.sql.run("ALTER TABLE prompts_away RENAME TO prompts");
    const replayed = await waitFor(() => recorder.spooledBytes === 0, 5_000);
    await recorder.close();
    await sink.close();
    const afterClose = await sink.writeAudit([prompt(99)]).then(
      () => null,
      (error: Error) => error.message,
    );
    return { rejected, spooledWhileDown, replayed, seqs: await promptSeqs(store.sql), afterClose };
  },

  /** A writer thread that dies: its unanswered write rejects, the recorder spools, a new thread is tried. */
  async "worker-dies"() {
    const crashing = new URL("./crashing-audit-worker.ts", import.meta.url).href;
    const out: Record<string, unknown> = {};
    for (const how of ["throw", "exit"]) {
      const sink = new WorkerAuditSink(how, crashing);
      const first = await sink.writeAudit([prompt(0)]).then(
        () => null,
        (error: Error) => error.message,
      );
      const spool = new FileAuditSpool(join(dir, `${how}.jsonl`));
      const recorder = new BatchingRecorder(sink, systemClock, silent, { retryMs: 50, maxDelayMs: 1 }, spool);
      for (let seq = 1; seq <= 10; seq++) recorder.record(prompt(seq));
      await recorder.flush();
      // Retries keep hitting freshly spawned (and again crashing) threads; nothing is lost.
      await Bun.sleep(200);
      out[how] = { first, spooled: recorder.spooledBytes > 0, queued: recorder.queued };
      await recorder.close();
      await sink.close();
    }
    return out;
  },

  /** createApp's close (what `serve` runs at SIGTERM) returns only once the worker committed everything. */
  async shutdown() {
    const path = join(dir, "app.db");
    const settings = resolveSettings(null, { CAUSEWAY_DB: path, ANTHROPIC_API_KEY: "sk-test" });
    const sql = await bunRuntime.openSql(settings.db);
    const auditSink = bunRuntime.openAuditSink?.(settings.db) ?? null;
    const app = await createApp({
      settings,
      sql,
      ...(auditSink ? { auditSink } : {}),
      upstream: () => Promise.reject(new Error("no upstream")),
      logger: silent,
    });
    const entries = Array.from({ length: 300 }, (_, n) => interception(n)).flat();
    for (const entry of entries) app.recorder.record(entry);
    const queuedAtClose = app.recorder.queued;
    await app.close();
    const check = openBunSqlite(path);
    const rows = await check.all("SELECT COUNT(*) AS n, COUNT(ended_at) AS ended FROM interceptions");
    const prompts = await check.all("SELECT COUNT(*) AS n FROM prompts");
    await check.close();

    // The sink alone: batches still in the worker's queue when close() is called are committed first.
    const bare = await freshStore("bare.db");
    const sink = new WorkerAuditSink(bare.path);
    const unawaited = Array.from({ length: 200 }, (_, b) =>
      sink.writeAudit([prompt(2 * b), prompt(2 * b + 1)]),
    );
    await sink.close();
    const settled = await Promise.allSettled(unawaited);
    return {
      usedWorker: auditSink instanceof WorkerAuditSink,
      queuedAtClose,
      ...rows[0],
      prompts: prompts[0]?.n,
      bareSeqs: (await promptSeqs(bare.store.sql)).length,
      bareRejected: settled.filter((r) => r.status === "rejected").length,
    };
  },
};

const run = scenarios[scenario];
if (!run) throw new Error(`unknown scenario ${scenario}`);
console.log(JSON.stringify(await run()));
process.exit(0);

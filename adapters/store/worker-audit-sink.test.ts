import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const BUN = join(ROOT, "node_modules/.bin/bun");
const SCENARIOS = join(ROOT, "test/helpers/audit-writer-scenarios.ts");
const run = promisify(execFile);

/** bun:sqlite and Bun's Worker exist only on Bun: each scenario runs there, on real SQLite files. */
async function scenario<T>(name: string): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "causeway-audit-writer-"));
  dirs.push(dir);
  const { stdout } = await run(BUN, [SCENARIOS, name, dir], { cwd: ROOT, timeout: 60_000 });
  return JSON.parse(stdout) as T;
}
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("WorkerAuditSink (Bun, SQLite writer thread)", () => {
  it("writes rows identical to SqlStore.writeAudit on the main thread, replays included", async () => {
    const { direct, worker } = await scenario<Record<string, Record<string, unknown[]>>>("same-rows");
    expect(direct!.interceptions).toHaveLength(40);
    for (const table of ["token_usages", "prompts", "thoughts", "tool_usages"]) {
      expect(direct![table], table).toHaveLength(40);
    }
    expect(worker).toEqual(direct);
  });

  it("keeps batches in order, through the recorder and when posted without waiting", async () => {
    const { recorder, posted } = await scenario<{ recorder: number[]; posted: number[] }>("order");
    expect(recorder).toEqual(upTo(3000));
    expect(posted).toEqual(upTo(1000));
  });

  it("rejects a failed write, so the recorder spools and later replays; rejects after close", async () => {
    const result = await scenario<Record<string, unknown>>("write-error");
    expect(result).toEqual({
      rejected: "no such table: prompts",
      spooledWhileDown: expect.any(Number),
      replayed: true,
      seqs: upTo(21),
      afterClose: "audit writer thread is closed",
    });
    expect(result.spooledWhileDown).toBeGreaterThan(0);
  });

  it("rejects when the writer thread dies (uncaught error or exit), so the recorder spools", async () => {
    expect(await scenario("worker-dies")).toEqual({
      throw: { first: "audit writer thread failed: writer crashed", spooled: true, queued: 0 },
      exit: { first: "audit writer thread exited", spooled: true, queued: 0 },
    });
  });

  it("flushes at shutdown: the app's close and the sink's close wait for the last commit", async () => {
    expect(await scenario("shutdown")).toEqual({
      usedWorker: true,
      queuedAtClose: 1800,
      n: 300,
      ended: 300,
      prompts: 300,
      bareSeqs: 400,
      bareRejected: 0,
    });
  });
});

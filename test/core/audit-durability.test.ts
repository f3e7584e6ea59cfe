import { describe, expect, it } from "vitest";
import { MemoryAuditSpool } from "../../core/audit/audit-spool.ts";
import { type BatchingOptions, BatchingRecorder } from "../../core/audit/batching-recorder.ts";
import { ManualClock } from "../../core/ports/clock.ts";
import { MemoryLogger } from "../../core/ports/logger.ts";
import type { AuditEntry } from "../../core/ports/recorder.ts";
import { fakeStore, interception, settle } from "./support/audit-store.ts";

/**
 * Audit durability while the store is down (issue 5 point 4, reliability LOAD-05 and AUD-09):
 * records are spooled and replayed, or new requests refused; never dropped.
 */
function setup(options: Partial<BatchingOptions> = {}, spool = new MemoryAuditSpool()) {
  const store = fakeStore();
  const clock = new ManualClock();
  const logger = new MemoryLogger();
  const recorder = new BatchingRecorder(store.sink, clock, logger, options, spool);
  const record = (entries: AuditEntry[]): void => {
    for (const entry of entries) recorder.record(entry);
  };
  /** Fires the batch timer (or a retry) and lets the writer finish. */
  const tick = async (ms = 20): Promise<void> => {
    clock.advance(ms);
    await settle();
  };
  const messages = () => logger.lines.map((line) => line.message);
  return { store, clock, logger, recorder, spool, record, tick, messages };
}

describe("audit when the store is down: spool (the default)", () => {
  it("spools a failed batch to disk instead of holding it in memory, then replays it in order", async () => {
    const t = setup();
    t.store.down();
    t.record(interception("a"));
    await t.tick();
    expect(t.messages()).toContain("audit write failed; will retry");
    expect(t.spool.lines.map((line) => JSON.parse(line))).toEqual(interception("a"));
    expect(t.recorder.queued).toBe(0);
    expect(t.recorder.accepting()).toBe(true);

    // Later batches of the outage go straight to the spool, after the first ones.
    t.record(interception("b"));
    await t.tick();
    expect(t.spool.lines).toHaveLength(8);
    await t.tick(1_000); // a retry while still down changes nothing
    expect(t.spool.lines).toHaveLength(8);
    expect(t.store.rows.size).toBe(0);

    t.store.up();
    await t.tick(1_000);
    expect(t.messages()).toContain("audit spool replayed into the store");
    expect(t.spool.lines).toEqual([]);
    expect(t.recorder.spooledBytes).toBe(0);
    // Every entry reached the store exactly once and in order: both interceptions ended.
    expect(t.store.received).toEqual([...interception("a"), ...interception("b")]);
    expect(t.store.ended("a")?.kind).toBe("interception-end");
    expect(t.store.ended("b")?.kind).toBe("interception-end");

    // Healthy again: new records go to the store, not the spool.
    t.record(interception("c"));
    await t.tick();
    expect(t.spool.lines).toEqual([]);
    expect(t.store.received.slice(8)).toEqual(interception("c"));
  });

  it("replays a spool left by a crash at startup; replaying what was already stored adds nothing", async () => {
    // A previous process spooled "a" and "b", then crashed before it could clear the spool
    // although "a" had already been stored.
    const spool = new MemoryAuditSpool();
    await spool.append([...interception("a"), ...interception("b")]);
    const t = setup({}, spool);
    await settle();
    expect(t.messages()).toContain("audit spool found at startup; replaying");
    expect(spool.lines).toEqual([]);
    expect(t.store.rows.size).toBe(8);

    const again = new MemoryAuditSpool();
    await again.append(interception("a"));
    const second = new BatchingRecorder(t.store.sink, t.clock, t.logger, {}, again);
    await settle();
    expect(second.spooledBytes).toBe(0);
    expect(t.store.rows.size).toBe(8);
    expect([...t.store.rows.keys()].filter((key) => key.endsWith(":a") || key.includes(":a:"))).toHaveLength(
      4,
    );
  });

  it("spools a write that times out; when it lands late, the replay does not duplicate it", async () => {
    const t = setup({ writeTimeoutMs: 5_000 });
    t.store.hang();
    t.record(interception("slow"));
    await t.tick();
    expect(t.spool.lines).toEqual([]);
    await t.tick(5_000);
    expect(t.messages()).toContain("audit write failed; will retry");
    expect(t.spool.lines).toHaveLength(4);
    t.store.release(); // the abandoned write commits after all
    await t.tick(1_000);
    expect(t.spool.lines).toEqual([]);
    expect(t.store.rows.size).toBe(4);
    expect(t.store.ended("slow")?.kind).toBe("interception-end");
  });

  it("refuses new requests once the spool reaches max_spool_bytes, drops nothing, resumes after", async () => {
    const t = setup({ maxSpoolBytes: 300 });
    t.store.down();
    for (const id of ["a", "b", "c"]) {
      t.record(interception(id));
      await t.tick();
    }
    expect(t.recorder.accepting()).toBe(false);
    expect(t.messages()).toContain("audit spool full");
    expect(t.messages()).toContain("refusing new requests: audit cannot be kept");
    // Entries of requests already running are still kept, in memory.
    t.record(interception("in-flight"));
    await t.tick();
    const spooled = t.spool.lines.length;
    expect(spooled + t.recorder.queued).toBe(16);
    expect(t.recorder.queued).toBeGreaterThan(0);

    t.store.up();
    await t.tick(1_000);
    expect(t.recorder.accepting()).toBe(true);
    expect(t.recorder.queued).toBe(0);
    expect(t.spool.lines).toEqual([]);
    expect(t.store.received).toEqual(["a", "b", "c", "in-flight"].flatMap((id) => interception(id)));
    expect(t.messages()).toContain("audit can be kept again; accepting new requests");
  });

  it("treats a spool that cannot be written (disk full) like a full one", async () => {
    const t = setup();
    t.spool.failAppends = true;
    t.store.down();
    t.record(interception("a"));
    await t.tick();
    expect(t.messages()).toContain("audit spool write failed");
    expect(t.recorder.accepting()).toBe(false);
    expect(t.recorder.queued).toBe(4);
    t.store.up();
    await t.tick(1_000);
    expect(t.recorder.accepting()).toBe(true);
    expect(t.store.received).toEqual(interception("a"));
  });

  it("flush at shutdown during an outage leaves everything in the spool", async () => {
    const t = setup();
    t.store.down();
    t.record(interception("last"));
    await t.recorder.flush();
    expect(t.spool.lines).toHaveLength(4);
    expect(t.recorder.queued).toBe(0);
  });
});

describe("audit when the store is down: reject", () => {
  it("keeps failed batches in memory, refuses while failing, retries every second, resumes", async () => {
    const t = setup({ whenStoreDown: "reject" });
    t.store.down();
    t.record(interception("a"));
    expect(t.recorder.accepting()).toBe(true); // nothing has failed yet
    await t.tick();
    expect(t.recorder.accepting()).toBe(false);
    expect(t.recorder.queued).toBe(4);
    expect(t.spool.lines).toEqual([]);
    t.record(interception("in-flight"));
    await t.tick(1_000);
    expect(t.recorder.accepting()).toBe(false);
    expect(t.recorder.queued).toBe(8);
    await expect(t.recorder.flush()).rejects.toThrow("audit store unavailable");

    t.store.up();
    await t.tick(1_000);
    expect(t.recorder.accepting()).toBe(true);
    expect(t.recorder.queued).toBe(0);
    expect(t.store.received).toEqual([...interception("a"), ...interception("in-flight")]);
  });

  it("at shutdown during an outage, spools what is still in memory instead of losing it", async () => {
    const t = setup({ whenStoreDown: "reject" });
    t.store.down();
    t.record(interception("a"));
    await t.tick();
    expect(t.recorder.queued).toBe(4);
    await t.recorder.close();
    expect(t.messages()).toContain("audit store down at shutdown: records spooled for the next start");
    expect(t.spool.lines.map((line) => JSON.parse(line))).toEqual(interception("a"));
    expect(t.recorder.queued).toBe(0);
  });

  it("still replays a spool left from spool mode", async () => {
    const spool = new MemoryAuditSpool();
    await spool.append(interception("old"));
    const t = setup({ whenStoreDown: "reject" }, spool);
    await settle();
    expect(t.store.rows.size).toBe(4);
    expect(spool.lines).toEqual([]);
  });
});

describe("audit under a slow store", () => {
  it("refuses new requests past maxQueued instead of dropping entries", async () => {
    const t = setup({ maxQueued: 10, maxBatch: 4 });
    t.store.hang();
    t.record(interception("a"));
    await t.tick();
    t.record(interception("b"));
    t.record(interception("c"));
    expect(t.recorder.accepting()).toBe(false);
    expect(t.messages()).toContain("refusing new requests: audit cannot be kept");
    t.store.release();
    await t.tick();
    expect(t.recorder.accepting()).toBe(true);
    expect(t.store.received).toEqual(["a", "b", "c"].flatMap((id) => interception(id)));
  });
});

describe("audit batching under a steady stream of requests", () => {
  it("entries that arrive during a write wait for the batch timer or a full batch, not a commit each", async () => {
    const t = setup({ maxBatch: 64 });
    const batches: number[] = [];
    const write = t.store.sink.writeAudit.bind(t.store.sink);
    t.store.sink.writeAudit = (entries) => {
      batches.push(entries.length);
      // Requests keep recording while the first writes are in flight (a fsync takes a while).
      if (batches.length <= 2) t.record(interception(`during-${batches.length}`));
      return write(entries);
    };
    t.record(interception("first"));
    await t.tick(20);
    // One write for the first interception; the one recorded during it is still queued.
    expect(batches).toEqual([4]);
    expect(t.recorder.queued).toBe(4);
    await t.tick(19);
    expect(batches).toEqual([4]);
    await t.tick(1);
    expect(batches).toEqual([4, 4]);
    // A full batch still goes at once.
    for (let i = 0; i < 16; i++) t.record(interception(`burst-${i}`));
    await settle();
    expect(batches.at(-1)).toBeGreaterThanOrEqual(64);
    await t.recorder.flush();
    expect(t.recorder.queued).toBe(0);
  });
});

import type { AuditSink } from "../../../core/audit/batching-recorder.ts";
import type { AuditEntry } from "../../../core/ports/recorder.ts";

/** The store's key of an entry (its primary key, as in core/store/schema.ts). */
function keyOf(entry: AuditEntry): string {
  switch (entry.kind) {
    case "interception-start":
      return `interception:${entry.id}`;
    case "token-usage":
      return `usage:${entry.interceptionId}:${entry.turn}`;
    case "interception-end":
      return `end:${entry.interceptionId}`;
    default:
      return `${entry.kind}:${entry.interceptionId}:${entry.seq}`;
  }
}

/**
 * An audit store in memory with SqlStore's semantics: a batch is one transaction, inserts are
 * ON CONFLICT DO NOTHING, and an end only applies to a started, not yet ended interception (so a
 * writer that reorders entries loses ends, as it would in the database). It can be taken down,
 * or made to hang until the test lets a write land.
 */
export function fakeStore() {
  const rows = new Map<string, AuditEntry>();
  /** Every entry any successful write carried, in order (duplicates included). */
  const received: AuditEntry[] = [];
  let down = false;
  let hanging: (() => void)[] | null = null;
  const apply = (entries: readonly AuditEntry[]): void => {
    for (const entry of entries) {
      received.push(entry);
      const key = keyOf(entry);
      if (rows.has(key)) continue;
      if (entry.kind === "interception-end" && !rows.has(`interception:${entry.interceptionId}`)) continue;
      rows.set(key, entry);
    }
  };
  const sink: AuditSink = {
    writeAudit(entries) {
      if (down) return Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
      const batch = [...entries];
      if (hanging) {
        const queue = hanging;
        return new Promise<void>((resolve) =>
          queue.push(() => {
            apply(batch);
            resolve();
          }),
        );
      }
      apply(batch);
      return Promise.resolve();
    },
  };
  return {
    sink,
    rows,
    received,
    down(): void {
      down = true;
    },
    up(): void {
      down = false;
    },
    hang(): void {
      hanging = [];
    },
    /** Lets every hanging write land (even ones the recorder gave up on) and stops hanging. */
    release(): void {
      const pending = hanging ?? [];
      hanging = null;
      for (const land of pending) land();
    },
    ended: (id: string) => rows.get(`end:${id}`),
  };
}

/** The entries one interception records: start, prompt, usage, end. */
export function interception(id: string, at = 0): AuditEntry[] {
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
      streaming: false,
      client: "unknown",
      sessionId: null,
      userAgent: null,
      startedAt: at,
    },
    { kind: "prompt", interceptionId: id, seq: 0, text: `prompt of ${id}` },
    {
      kind: "token-usage",
      interceptionId: id,
      turn: 0,
      tokens: { input: 5, output: 6, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    },
    {
      kind: "interception-end",
      interceptionId: id,
      status: "completed",
      httpStatus: 200,
      endedAt: at,
      detail: null,
      attempts: 1,
      keyIndex: 0,
    },
  ];
}

export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

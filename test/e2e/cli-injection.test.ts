import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUN, ROOT } from "../helpers/server-process.ts";

const run = promisify(execFile);

/**
 * Issue 17 (A): text a caller controls (here the model and the user name of an audited request)
 * must not reach the operator's terminal raw. The store is seeded with an interception whose
 * model and user clear the screen and forge a line; the human output of `causeway` (bin/causeway,
 * as a user runs it) shows them as escapes on the record's own line.
 */
const HOSTILE = "\x1b[2J\nFAKE LINE\r";
const MODEL = `claude-${HOSTILE}\u202eevil`;
const USER = `mallory${HOSTILE}`;

describe("causeway human output with hostile stored text", () => {
  let dir = "";
  const causeway = async (...args: string[]): Promise<string> => {
    const env = { PATH: process.env.PATH ?? "", HOME: dir, CAUSEWAY_DB: join(dir, "causeway.db") };
    const { stdout } = await run(join(ROOT, "bin/causeway"), args, { cwd: dir, env });
    return stdout;
  };
  /** No terminal control, no bidi character, and no line that starts with the forged text. */
  const expectInert = (text: string): void => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    for (const line of text.split("\n")) expect(line.startsWith("FAKE LINE")).toBe(false);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "causeway-injection-"));
    await run(BUN, [
      join(ROOT, "test/helpers/seed-interceptions.ts"),
      join(dir, "causeway.db"),
      "2",
      USER,
      MODEL,
    ]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("interceptions list prints one line a record, the model and user escaped", async () => {
    const out = await causeway("interceptions", "list");
    expectInert(out);
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toContain("mallory\\x1b[2J\\nFAKE LINE\\r");
      expect(line).toContain("claude-\\x1b[2J\\nFAKE LINE\\r\\u202eevil");
    }
  });

  it("usage by user and by model print one row each, escaped", async () => {
    for (const [by, expected] of [
      ["user", "mallory\\x1b[2J\\nFAKE LINE\\r"],
      ["model", "claude-\\x1b[2J\\nFAKE LINE\\r\\u202eevil"],
    ] as const) {
      const out = await causeway("usage", "--by", by);
      expectInert(out);
      const lines = out.trimEnd().split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[1]!.startsWith(expected)).toBe(true);
    }
  });

  it("JSON lines keep the exact text, with nothing a terminal would obey", async () => {
    const out = await causeway("interceptions", "list", "--format", "jsonl");
    expectInert(out);
    const rows = out
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { model: string; user: string });
    expect(rows.map((r) => [r.user, r.model])).toEqual([
      [USER, MODEL],
      [USER, MODEL],
    ]);
  });
});

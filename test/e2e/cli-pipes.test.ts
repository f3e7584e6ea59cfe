import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE_HAS_SQLITE } from "../behaviour/runtimes.ts";
import { BUN, ROOT } from "../helpers/server-process.ts";
import { freshDatabase } from "../postgres/pg.ts";

/**
 * The `causeway` command under pipes, as a user runs it (issue 19): a slow reader gets every
 * record, `| head -n 1` ends quietly, commands that need no store never create one, and the exit
 * statuses are 0 / 1 / 2. On Bun (bin/causeway) and on the Node build (test/global-setup.ts
 * compiles it; on Node 20, which has no node:sqlite, the Node CLI reads a PostgreSQL store).
 */

/**
 * Records each runner lists. The reader got 393,216 of 1,210,703 bytes (2,000 records);
 * both counts are far past that. Node reads PostgreSQL on Node 20, slower to seed and to list,
 * so it gets fewer to keep the file well under 30 s.
 */
const RUNNERS = [
  { name: "bun", command: [join(ROOT, "bin/causeway")], records: 100_000 },
  {
    name: "node",
    command: [process.execPath, join(ROOT, "dist/adapters/node/main.js")],
    records: 20_000,
  },
] as const;

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** How the test reads the command's stdout: as fast as it can, or a pause after every chunk. */
type Reader = "fast" | "slow";

function run(
  command: readonly string[],
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; reader?: Reader; timeoutMs?: number },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, [...command.slice(1), ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", HOME: options.cwd, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out.push(chunk);
      if (options.reader === "slow") {
        // A reader slower than the writer: the pipe fills and the command has to wait for it.
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 2);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("error", reject);
    // "close", not "exit": both pipes are read to their end before the result is looked at.
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err });
    });
  });
}

describe.each(RUNNERS)("causeway on $name under pipes", (runner) => {
  const RECORDS = runner.records;
  /** Ids of the seeded records, newest first (test/helpers/seed-interceptions.ts). */
  const seededId = (newestFirst: number): string => `icp_seed_${1_000_000 + RECORDS - newestFirst}`;
  let dir = "";
  let db = "";
  let dropDatabase = async (): Promise<void> => {};
  const causeway = (args: readonly string[], reader: Reader = "fast") =>
    run(runner.command, args, { cwd: dir, env: { CAUSEWAY_DB: db }, reader, timeoutMs: 25_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `causeway-pipes-${runner.name}-`));
    if (runner.name === "node" && !NODE_HAS_SQLITE) {
      const database = await freshDatabase("cli_pipes");
      db = database.url;
      dropDatabase = database.drop;
    } else db = join(dir, "causeway.db");
    const seed = await run([BUN, join(ROOT, "test/helpers/seed-interceptions.ts")], [db, String(RECORDS)], {
      cwd: dir,
      env: {},
      timeoutMs: 60_000,
    });
    expect(seed.code, seed.stderr).toBe(0);
  }, 90_000);
  afterAll(async () => {
    await dropDatabase();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`a slow reader gets all ${RECORDS} records of --format jsonl, one JSON object a line`, async () => {
    const result = await causeway(
      ["interceptions", "list", "--format", "jsonl", "--limit", String(RECORDS)],
      "slow",
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const text = result.stdout.toString("utf8");
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.slice(0, -1).split("\n");
    expect(lines).toHaveLength(RECORDS);
    const ids = lines.map((line) => (JSON.parse(line) as { id: string }).id);
    // Newest first across every page the command reads, ties on started_at included.
    expect(ids[0]).toBe(seededId(0));
    expect(ids.at(-1)).toBe(seededId(RECORDS - 1));
    expect(ids.every((id, i) => id === seededId(i))).toBe(true);
  });

  it(`a slow reader gets all ${RECORDS} records of --json as one JSON array`, async () => {
    const result = await causeway(["interceptions", "list", "--json", "--limit", String(RECORDS)], "slow");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const records = JSON.parse(result.stdout.toString("utf8")) as { id: string; prompts: string[] }[];
    expect(records).toHaveLength(RECORDS);
    expect(records[0]).toMatchObject({ id: seededId(0), prompts: [`prompt ${RECORDS}`] });
    expect(records.every((record, i) => record.id === seededId(i))).toBe(true);
  });

  it.each([
    ["text", [], seededId(0)],
    ["json", ["--json"], "["],
    ["jsonl", ["--format", "jsonl"], seededId(0)],
  ])(
    "| head -n 1 on --format %s ends the command quietly: no error output, status 0",
    async (_format, flags, first) => {
      // bash for PIPESTATUS: the command's own status, not head's.
      const result = await run(
        ["bash", "-c", `set -o pipefail; "$@" | head -n 1; echo "status=\${PIPESTATUS[0]}" >&2`, "sh"],
        [...runner.command, "interceptions", "list", ...flags, "--limit", String(RECORDS)],
        // Well under the test's timeout: a command that hangs on the closed pipe fails here.
        { cwd: dir, env: { CAUSEWAY_DB: db }, timeoutMs: 15_000 },
      );
      expect(result.stderr).toBe("status=0\n");
      const lines = result.stdout.toString("utf8").split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toContain(first);
    },
  );

  it("a failure is one line on stderr and status 1", async () => {
    const result = await run(runner.command, ["interceptions", "list"], {
      cwd: dir,
      env: { CAUSEWAY_DB: join(dir, "no-such-dir", "causeway.db") },
    });
    expect(result.code).toBe(1);
    expect(result.stdout.length).toBe(0);
    expect(result.stderr).toMatch(/^causeway: [^\n]+\n$/);
  });

  describe("without a store", () => {
    /**
     * Runs each `args` in a directory of its own with nothing in it (the default store would be
     * ./causeway.db there; `named` also sets CAUSEWAY_DB to a file in it), all at once: process
     * start dominates, and what each leaves behind stays attributable.
     */
    const inBareDirs = (cases: readonly (readonly string[])[], named = false) =>
      Promise.all(
        cases.map(async (args) => {
          const bare = mkdtempSync(join(dir, "bare-"));
          const env = { HOME: dir, ...(named ? { CAUSEWAY_DB: join(bare, "named.db") } : {}) };
          const result = await run(runner.command, args, { cwd: bare, env, timeoutMs: 20_000 });
          const what = `${args.join(" ") || "(no arguments)"}${named ? " CAUSEWAY_DB=named.db" : ""}`;
          return { ...result, what, left: readdirSync(bare) };
        }),
      );

    it("--help, for the command and each subcommand, prints to stdout, exits 0 and creates nothing", async () => {
      const results = await inBareDirs([
        ["--help"],
        ["-h"],
        ["help"],
        ["users", "--help"],
        ["users", "create", "--help"],
        ["users", "revoke", "-h"],
        ["interceptions", "--help"],
        ["interceptions", "list", "--help"],
        ["usage", "--help"],
        ["serve", "--help"],
      ]);
      for (const { what, code, stdout, stderr, left } of results) {
        expect(code, what).toBe(0);
        expect(stderr, what).toBe("");
        const text = stdout.toString("utf8");
        expect(text, what).toMatch(/^(Causeway|Usage)/);
        expect(text.endsWith("\n") && !text.endsWith("\n\n"), what).toBe(true);
        // No colour anywhere (docs/operations.md): nothing for NO_COLOR to turn off.
        expect(text, what).not.toContain("\u001b[");
        expect(left, what).toEqual([]);
      }
    });

    it("an unknown command or a usage error exits 2 with a message on stderr and creates nothing", async () => {
      const results = [
        ...(await inBareDirs([
          [],
          ["frobnicate"],
          ["users"],
          ["users", "create"],
          ["users", "create", "bad name!"],
          ["users", "frob", "ann"],
          ["interceptions"],
          ["interceptions", "list", "--limit", "zero"],
          ["interceptions", "list", "--format", "xml"],
          ["interceptions", "list", "--json", "--format", "jsonl"],
          ["interceptions", "list", "--since", "yesterday-ish"],
          ["interceptions", "list", "extra"],
          ["usage", "--by", "planet"],
          ["usage", "--nope"],
          ["serve", "extra"],
        ])),
        ...(await inBareDirs([[], ["frobnicate"], ["users", "create"]], true)),
      ];
      for (const { what, code, stdout, stderr, left } of results) {
        expect(code, what).toBe(2);
        expect(stdout.length, what).toBe(0);
        expect(stderr, what).toMatch(/^causeway: /);
        expect(stderr.endsWith("\n") && !stderr.endsWith("\n\n"), what).toBe(true);
        expect(stderr, what).not.toMatch(/\n\s+at /);
        expect(left, what).toEqual([]);
      }
    });
  });
});

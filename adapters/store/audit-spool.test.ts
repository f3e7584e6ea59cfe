import { execFile } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../core/ports/recorder.ts";
import { DENO_FLAGS } from "../deno/flags.ts";
import { FileAuditSpool } from "./audit-spool.ts";

const ROOT = join(import.meta.dirname, "../..");
const prompt = (seq: number): AuditEntry => ({
  kind: "prompt",
  interceptionId: "int_a",
  seq,
  text: `p${seq}`,
});

describe("FileAuditSpool", () => {
  const dirs: string[] = [];
  const tempFile = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "causeway-spool-"));
    dirs.push(dir);
    return join(dir, "spool.jsonl");
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("appends JSON lines, reads them back in order, survives reopening, and clears", async () => {
    const path = tempFile();
    const spool = new FileAuditSpool(path);
    expect(spool.sizeBytes()).toBe(0);
    await spool.append([prompt(0), prompt(1)]);
    await spool.append([prompt(2)]);
    expect(readFileSync(path, "utf8").split("\n")).toHaveLength(4);
    expect(spool.sizeBytes()).toBe(readFileSync(path).byteLength);

    const reopened = new FileAuditSpool(path);
    expect(reopened.sizeBytes()).toBe(spool.sizeBytes());
    expect(await reopened.readAll()).toEqual({ entries: [prompt(0), prompt(1), prompt(2)], unreadable: 0 });
    await reopened.clear();
    expect(readFileSync(path, "utf8")).toBe("");
    expect(reopened.sizeBytes()).toBe(0);
  });

  it("skips and counts a line torn by a crash, and keeps later appends intact", async () => {
    const path = tempFile();
    writeFileSync(path, `${JSON.stringify(prompt(0))}\n`);
    appendFileSync(path, '{"kind":"prompt","interce'); // the process died mid-write
    const spool = new FileAuditSpool(path);
    await spool.append([prompt(1)]);
    expect(await spool.readAll()).toEqual({ entries: [prompt(0), prompt(1)], unreadable: 1 });
  });

  it("works the same on Bun and Deno (node:fs on every runtime)", async () => {
    const script = join(tempFile().replace(/spool\.jsonl$/, ""), "check.ts");
    writeFileSync(
      script,
      [
        `import { FileAuditSpool } from ${JSON.stringify(join(ROOT, "adapters/store/audit-spool.ts"))};`,
        "const spool = new FileAuditSpool(process.argv.at(-1));",
        'await spool.append([{ kind: "prompt", interceptionId: "i", seq: 0, text: "x" }]);',
        "const again = new FileAuditSpool(process.argv.at(-1));",
        "const read = await again.readAll();",
        "await again.clear();",
        "console.log(JSON.stringify({ read, size: again.sizeBytes() }));",
      ].join("\n"),
    );
    const run = promisify(execFile);
    const commands = [
      [join(ROOT, "node_modules/.bin/bun"), script],
      [join(ROOT, "node_modules/.bin/deno"), "run", ...DENO_FLAGS, script],
    ];
    for (const [command, ...args] of commands) {
      const path = tempFile();
      const { stdout } = await run(command!, [...args, path], { cwd: ROOT });
      expect(JSON.parse(stdout)).toEqual({
        read: { entries: [{ kind: "prompt", interceptionId: "i", seq: 0, text: "x" }], unreadable: 0 },
        size: 0,
      });
      expect(readFileSync(path, "utf8")).toBe("");
    }
  });
});

import { safeJson } from "../runtime/safe-json.ts";
import { UsageError } from "./args.ts";
import type { Output } from "./output.ts";
import type { HumanText } from "./printable.ts";

/** How a record-printing command prints: a text table, one JSON array, or one JSON object a line. */
export type Format = "text" | "json" | "jsonl";

export function parseFormat(format: string | undefined, json: boolean | undefined): Format {
  if (format === undefined) return json ? "json" : "text";
  if (format !== "text" && format !== "json" && format !== "jsonl")
    throw new UsageError(`--format: expected text, json or jsonl, got "${format}"`);
  if (json && format !== "json") throw new UsageError(`--json and --format ${format} disagree`);
  return format;
}

/**
 * Writes records one at a time. `json` is byte for byte what JSON.stringify(records, null, 2)
 * gives for the whole array (the --json contract; safeJson only spells a few invisible characters
 * as \u escapes), without ever holding the array or its text. A text line must be built with
 * `human`, which escapes every value the store gave (printable.ts).
 */
export class RecordWriter<T> {
  private count = 0;
  private readonly out: Output;
  private readonly format: Format;
  constructor(out: Output, format: Format) {
    this.out = out;
    this.format = format;
  }

  async add(record: T, text: (record: T) => HumanText): Promise<void> {
    const first = this.count++ === 0;
    if (this.format === "text") return this.out.line(text(record));
    if (this.format === "jsonl") return this.out.line(safeJson(record));
    // JSON strings never hold a raw newline, so re-indenting by lines is exact.
    const item = `  ${safeJson(record, 2).replaceAll("\n", "\n  ")}`;
    return this.out.write(first ? `[\n${item}` : `,\n${item}`);
  }

  async end(): Promise<void> {
    if (this.format !== "json") return;
    await this.out.write(this.count === 0 ? "[]\n" : "\n]\n");
  }
}

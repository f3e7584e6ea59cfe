import { UsageError } from "./args.ts";
import type { Output } from "./output.ts";

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
 * gives for the whole array (the --json contract), without ever holding the array or its text.
 */
export class RecordWriter<T> {
  private count = 0;
  private readonly out: Output;
  private readonly format: Format;
  constructor(out: Output, format: Format) {
    this.out = out;
    this.format = format;
  }

  async add(record: T, text: (record: T) => string): Promise<void> {
    const first = this.count++ === 0;
    if (this.format === "text") return this.out.line(text(record));
    if (this.format === "jsonl") return this.out.line(JSON.stringify(record));
    // JSON strings never hold a raw newline, so re-indenting by lines is exact.
    const item = `  ${JSON.stringify(record, null, 2).replaceAll("\n", "\n  ")}`;
    return this.out.write(first ? `[\n${item}` : `,\n${item}`);
  }

  async end(): Promise<void> {
    if (this.format !== "json") return;
    await this.out.write(this.count === 0 ? "[]\n" : "\n]\n");
  }
}

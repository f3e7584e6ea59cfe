/**
 * txtar archives (golang.org/x/tools/txtar semantics): a free-text comment, then sections that
 * each start with a line `-- NAME --`. Section bytes are kept exactly (CRLF, blank lines, a
 * missing final newline), so SSE streams replay as recorded: `format(parse(text)) === text`.
 */
export interface TxtarFile {
  readonly name: string;
  readonly data: string;
}

export interface Txtar {
  readonly comment: string;
  readonly files: readonly TxtarFile[];
}

/** A marker line: `-- NAME --` followed by LF (a CR before the LF is not part of a marker). */
const MARKER = /^-- (\S(?:.*\S)?) --$/;

export function parseTxtar(text: string): Txtar {
  const files: TxtarFile[] = [];
  let comment: string | null = null;
  let name: string | null = null;
  let start = 0;
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf("\n", lineStart);
    const lineEnd = newline < 0 ? text.length : newline;
    const match = MARKER.exec(text.slice(lineStart, lineEnd));
    if (match) {
      const body = text.slice(start, lineStart);
      if (name === null) comment = body;
      else files.push({ name, data: body });
      name = match[1] ?? "";
      start = newline < 0 ? text.length : newline + 1;
    }
    if (newline < 0) break;
    lineStart = newline + 1;
  }
  const rest = text.slice(start);
  if (name === null) return { comment: rest, files };
  files.push({ name, data: rest });
  return { comment: comment ?? "", files };
}

/** Inverse of parseTxtar. A section without a final newline is written as is (bytes are bytes). */
export function formatTxtar(archive: Txtar): string {
  let out = archive.comment;
  for (const file of archive.files) {
    if (out !== "" && !out.endsWith("\n")) out += "\n";
    out += `-- ${file.name} --\n${file.data}`;
  }
  return out;
}

/** The named section's bytes, or undefined; duplicate names are a fixture error. */
export function section(archive: Txtar, name: string): string | undefined {
  const matches = archive.files.filter((file) => file.name === name);
  if (matches.length > 1) throw new Error(`section "${name}" appears ${matches.length} times`);
  return matches[0]?.data;
}

/**
 * Reads the Prometheus text exposition format (0.0.4, and the OpenMetrics lines it shares) back into
 * numbers, so tests can assert what a scrape says rather than how prom-client spells it: a series
 * is keyed by its name and its labels sorted by name, whatever order the exporter wrote them in.
 *
 *   const metrics = parseMetrics(await (await fetch(`${base}/metrics`)).text());
 *   expect(value(metrics, "causeway_tokens_total", { provider: "anthropic", model: "m", type: "input" })).toBe(12);
 */

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const SPACES = /[ \t]*/y;

/** Every sample line of `text`, in order; comments (`# HELP`, `# TYPE`, `# EOF`) and blank lines skipped. */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  text.split("\n").forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    try {
      samples.push(parseLine(trimmed));
    } catch (error) {
      throw new Error(`line ${index + 1}: ${(error as Error).message}: ${line}`);
    }
  });
  return samples;
}

/** Samples by `seriesKey`; a series written twice is an exporter bug and throws. */
export function parseMetrics(text: string): Map<string, number> {
  const metrics = new Map<string, number>();
  for (const sample of parseSamples(text)) {
    const key = seriesKey(sample.name, sample.labels);
    if (metrics.has(key)) throw new Error(`duplicate series ${key}`);
    metrics.set(key, sample.value);
  }
  return metrics;
}

/** `name{a="x",b="y"}` with labels sorted and values escaped as in the exposition; bare `name` without labels. */
export function seriesKey(name: string, labels: Labels = {}): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((label) => `${label}="${escapeLabelValue(labels[label]!)}"`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(",")}}`;
}

/** The value of exactly this series (all its labels given), or undefined when the scrape lacks it. */
export function value(
  metrics: ReadonlyMap<string, number>,
  name: string,
  labels: Labels = {},
): number | undefined {
  return metrics.get(seriesKey(name, labels));
}

/** The sum over the samples of `name` whose labels include `where` (e.g. every status of one provider). */
export function sum(samples: readonly Sample[], name: string, where: Labels = {}): number {
  let total = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(where).every(([label, wanted]) => sample.labels[label] === wanted))
      total += sample.value;
  }
  return total;
}

function escapeLabelValue(raw: string): string {
  return raw.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** `name{labels} value [timestamp]`, one sample. */
function parseLine(line: string): Sample {
  let at = 0;
  const match = (pattern: RegExp): string | null => {
    pattern.lastIndex = at;
    const found = pattern.exec(line);
    if (found === null) return null;
    at = pattern.lastIndex;
    return found[0];
  };
  const skipSpaces = (): void => void match(SPACES);

  const name = match(NAME);
  if (name === null || name === "") throw new Error("expected a metric name");
  const labels: Record<string, string> = {};
  skipSpaces();
  if (line[at] === "{") {
    at++;
    for (;;) {
      skipSpaces();
      if (line[at] === "}") break;
      const label = match(LABEL_NAME);
      if (label === null) throw new Error(`expected a label name at ${at}`);
      skipSpaces();
      if (line[at] !== "=") throw new Error(`expected = at ${at}`);
      at++;
      skipSpaces();
      if (line[at] !== '"') throw new Error(`expected " at ${at}`);
      const [text, end] = readQuoted(line, at + 1);
      if (label in labels) throw new Error(`label ${label} repeated`);
      labels[label] = text;
      at = end;
      skipSpaces();
      if (line[at] === ",") at++;
      else if (line[at] !== "}") throw new Error(`expected , or } at ${at}`);
    }
    at++;
  }
  const rest = line
    .slice(at)
    .trim()
    .split(/[ \t]+/);
  if (rest.length > 2 || rest[0] === "") throw new Error("expected a value and an optional timestamp");
  return { name, labels, value: parseValue(rest[0]!) };
}

/** The label value starting at `from` (just past its opening quote) and the index past its closing quote. */
function readQuoted(line: string, from: number): [string, number] {
  let text = "";
  for (let i = from; i < line.length; i++) {
    const char = line[i];
    if (char === '"') return [text, i + 1];
    if (char !== "\\") {
      text += char;
      continue;
    }
    const escaped = line[++i];
    if (escaped === "n") text += "\n";
    else if (escaped === "\\" || escaped === '"') text += escaped;
    else throw new Error(`unknown escape \\${escaped ?? ""} at ${i}`);
  }
  throw new Error("unterminated label value");
}

/** As Prometheus reads them (Go's ParseFloat): Inf and NaN in any case, which prom-client needs (it writes `Nan`). */
function parseValue(text: string): number {
  if (/^[+-]?inf(inity)?$/i.test(text))
    return text.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  // Number() alone would also take "" and "0x1f", which are not sample values.
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`not a sample value: ${text}`);
  return Number(text);
}

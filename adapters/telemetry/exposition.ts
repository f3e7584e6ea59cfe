/**
 * Counters, gauges and histograms in the Prometheus text exposition format (version 0.0.4), with
 * the small part of prom-client's API the bridge uses. Our own because of the hot path: prom-client
 * validates and hashes the label set on every update (~0.3 µs each, a dozen per interception), which
 * measured 5–11 µs of CPU per request at saturation (docs/benchmarks.md, "Cost of observability").
 * Here an update builds one key from the label values in declared order and adds to a number.
 * Label values are trusted to be bounded by the caller (label-cap.ts); they are escaped on output.
 */

type Labels<L extends string> = Readonly<Partial<Record<L, string>>>;

interface Series {
  readonly values: readonly string[];
  value: number;
}

interface MetricOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
  readonly registers: readonly Registry[];
}

/** Metrics rendered together, in the order they were registered. */
export class Registry {
  readonly contentType = "text/plain; version=0.0.4; charset=utf-8";
  readonly #metrics: Metric<string>[] = [];

  register(metric: Metric<string>): void {
    this.#metrics.push(metric);
  }

  async metrics(): Promise<string> {
    let text = "";
    for (const metric of this.#metrics) text += metric.render();
    return text;
  }
}

abstract class Metric<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** Runs before each scrape renders this metric (values read from live state). */
  protected collect: (() => void) | undefined;

  constructor(options: MetricOptions<L>) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
    for (const registry of options.registers) registry.register(this);
  }

  /** The series key: the label values in declared order (absent ones as ""). */
  protected key(labels: Labels<L> | undefined): string {
    let key = "";
    for (const name of this.labelNames) key += `${labels?.[name] ?? ""}\u0000`;
    return key;
  }

  protected values(labels: Labels<L> | undefined): string[] {
    return this.labelNames.map((name) => labels?.[name] ?? "");
  }

  render(): string {
    this.collect?.();
    return `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n${this.samples()}`;
  }

  protected abstract readonly type: string;
  protected abstract samples(): string;
}

abstract class ValueMetric<L extends string> extends Metric<L> {
  readonly #series = new Map<string, Series>();

  /** The series of these label values, made (at 0) on first use. */
  protected series(labels: Labels<L> | undefined): Series {
    const key = this.key(labels);
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { values: this.values(labels), value: 0 };
      this.#series.set(key, series);
    }
    return series;
  }

  /** Forgets every series (a gauge rebuilt at each scrape). */
  reset(): void {
    this.#series.clear();
  }

  protected samples(): string {
    // A metric without labels always has its one series, as prom-client renders it.
    if (this.labelNames.length === 0 && this.#series.size === 0) return `${this.name} 0\n`;
    let text = "";
    for (const series of this.#series.values())
      text += `${this.name}${labelText(this.labelNames, series.values)} ${formatValue(series.value)}\n`;
    return text;
  }
}

export class Counter<L extends string = never> extends ValueMetric<L> {
  protected readonly type = "counter";

  inc(labels?: Labels<L>, by = 1): void {
    this.series(labels).value += by;
  }
}

export class Gauge<L extends string = never> extends ValueMetric<L> {
  protected readonly type = "gauge";

  constructor(options: MetricOptions<L> & { readonly collect?: (this: Gauge<L>) => void }) {
    super(options);
    this.collect = options.collect?.bind(this);
  }

  inc(labels?: Labels<L>, by = 1): void {
    this.series(labels).value += by;
  }

  dec(labels?: Labels<L>, by = 1): void {
    this.series(labels).value -= by;
  }

  /** `set(value)` for a metric without labels, `set(labels, value)` otherwise. */
  set(labelsOrValue: Labels<L> | number, value?: number): void {
    if (typeof labelsOrValue === "number") this.series(undefined).value = labelsOrValue;
    else this.series(labelsOrValue).value = value ?? 0;
  }
}

interface HistogramSeries {
  readonly values: readonly string[];
  /** Observations per bucket (not cumulative); the last is above every bound (+Inf). */
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram<L extends string = never> extends Metric<L> {
  protected readonly type = "histogram";
  readonly #buckets: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();

  constructor(options: MetricOptions<L> & { readonly buckets: readonly number[] }) {
    super(options);
    this.#buckets = [...options.buckets].sort((a, b) => a - b);
  }

  observe(labels: Labels<L>, value: number): void {
    const key = this.key(labels);
    let series = this.#series.get(key);
    if (series === undefined) {
      series = {
        values: this.values(labels),
        counts: new Array(this.#buckets.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      this.#series.set(key, series);
    }
    const buckets = this.#buckets;
    let index = 0;
    while (index < buckets.length && value > buckets[index]!) index++;
    series.counts[index]!++;
    series.sum += value;
    series.count++;
  }

  protected samples(): string {
    let text = "";
    const names = this.labelNames;
    for (const series of this.#series.values()) {
      let cumulative = 0;
      const inner = labelPairs(names, series.values);
      const withLe = (le: string): string => `{${inner}${inner ? "," : ""}le="${le}"}`;
      this.#buckets.forEach((bound, index) => {
        cumulative += series.counts[index]!;
        text += `${this.name}_bucket${withLe(formatValue(bound))} ${cumulative}\n`;
      });
      text += `${this.name}_bucket${withLe("+Inf")} ${series.count}\n`;
      const labels = inner ? `{${inner}}` : "";
      text += `${this.name}_sum${labels} ${formatValue(series.sum)}\n${this.name}_count${labels} ${series.count}\n`;
    }
    return text;
  }
}

function labelPairs(names: readonly string[], values: readonly string[]): string {
  let text = "";
  names.forEach((name, index) => {
    text += `${index > 0 ? "," : ""}${name}="${escapeLabel(values[index]!)}"`;
  });
  return text;
}

function labelText(names: readonly string[], values: readonly string[]): string {
  return names.length === 0 ? "" : `{${labelPairs(names, values)}}`;
}

/** The format's label value escapes: backslash, double quote, line feed. */
function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === "\n" ? "\\n" : "\\\\"));
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

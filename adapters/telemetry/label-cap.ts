/**
 * Label values that come from callers (model and client names, tool names) could otherwise create
 * one time series each: Prometheus keeps every series in memory, so an unbounded label is a leak
 * in the scraper as much as in the bridge.
 */

/** Longest label value kept; longer ones are cut (a model name is far shorter, a pasted prompt is not). */
export const MAX_LABEL_LENGTH = 128;
/** Where values past the cap are folded. */
export const OTHER_LABEL = "other";
/** What an absent or empty value is reported as. */
export const UNKNOWN_LABEL = "unknown";

/** Cuts a value to MAX_LABEL_LENGTH code points (never half a surrogate pair). */
export function truncateLabel(value: string): string {
  // Code units bound code points from above, so shorter strings need no scan.
  if (value.length <= MAX_LABEL_LENGTH) return value;
  return Array.from(value).slice(0, MAX_LABEL_LENGTH).join("");
}

/**
 * One label's bounded set of values: the first `limit` distinct values are kept as they are, every
 * later one becomes `other`. First come rather than most frequent, so a value's series never
 * changes name once it has appeared (a dashboard's line does not jump between `other` and its own).
 * Memory is bounded by `limit` too: folded values are not remembered.
 */
export class LabelCap {
  readonly limit: number;
  readonly #kept = new Set<string>();

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 0)
      throw new RangeError(`label cap must be an integer ≥ 0: ${limit}`);
    this.limit = limit;
  }

  /** The label value to report for `raw`. Null and empty give `unknown`, which takes no place. */
  value(raw: string | null): string {
    if (raw === null || raw === "") return UNKNOWN_LABEL;
    // Truncate first: values that differ only past the cut are one series and take one place.
    const value = truncateLabel(raw);
    if (this.#kept.has(value)) return value;
    if (this.#kept.size >= this.limit) return OTHER_LABEL;
    this.#kept.add(value);
    return value;
  }

  /** Like `value`, but never admits a new value: one not kept yet is `other`. */
  known(raw: string | null): string {
    if (raw === null || raw === "") return UNKNOWN_LABEL;
    const value = truncateLabel(raw);
    return this.#kept.has(value) ? value : OTHER_LABEL;
  }
}

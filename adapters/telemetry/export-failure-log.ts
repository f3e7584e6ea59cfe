import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import type { Logger } from "../../core/ports/logger.ts";

/** At most one warning per this interval while exports keep failing. */
export const EXPORT_WARNING_INTERVAL_MS = 60_000;

export interface ExportFailureLogOptions {
  /** The collector's URL, logged without credentials or query. */
  readonly url: string;
  readonly intervalMs?: number;
  readonly now?: () => number;
}

/**
 * Wraps the OTLP exporter so a failed export becomes a warning in the bridge's log instead of
 * nothing (the SDK reports failures to its global diag logger, which the bridge does not install):
 * the first failure is logged at once, later ones at most once per interval with a count, and one
 * info line says when exports work again. Spans of a failed batch are dropped, as the SDK does.
 */
export class ExportFailureLog implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #logger: Logger;
  readonly #endpoint: string;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #lastWarningAt: number | null = null;
  /** Failed exports and their spans since the last warning. */
  #unreported = { exports: 0, spans: 0 };
  #failing = false;
  /** The errors of failed exports, so a caller that meets one again (a rejected flush) need not log it twice. */
  readonly #seen = new WeakSet<object>();

  constructor(inner: SpanExporter, logger: Logger, options: ExportFailureLogOptions) {
    this.#inner = inner;
    this.#logger = logger;
    this.#endpoint = withoutSecrets(options.url);
    this.#intervalMs = options.intervalMs ?? EXPORT_WARNING_INTERVAL_MS;
    this.#now = options.now ?? Date.now;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const report = (result: ExportResult): void => {
      if (result.code === ExportResultCode.SUCCESS) this.#succeeded();
      else this.#failed(result.error, spans.length);
      resultCallback(result);
    };
    try {
      this.#inner.export(spans, report);
    } catch (error) {
      report({
        code: ExportResultCode.FAILED,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
  }

  /** Whether `error` is the error of an export this log already counted. */
  hasSeen(error: unknown): boolean {
    return typeof error === "object" && error !== null && this.#seen.has(error);
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }

  #failed(error: Error | undefined, spans: number): void {
    if (error) this.#seen.add(error);
    this.#failing = true;
    this.#unreported.exports++;
    this.#unreported.spans += spans;
    const now = this.#now();
    if (this.#lastWarningAt !== null && now - this.#lastWarningAt < this.#intervalMs) return;
    this.#lastWarningAt = now;
    this.#logger.warn("OTLP trace export failed; spans dropped", {
      endpoint: this.#endpoint,
      error: error?.message ?? "unknown error",
      failed_exports: this.#unreported.exports,
      dropped_spans: this.#unreported.spans,
    });
    this.#unreported = { exports: 0, spans: 0 };
  }

  #succeeded(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#logger.info("OTLP trace export works again", {
      endpoint: this.#endpoint,
      ...(this.#unreported.exports > 0
        ? { failed_exports: this.#unreported.exports, dropped_spans: this.#unreported.spans }
        : {}),
    });
    this.#unreported = { exports: 0, spans: 0 };
    this.#lastWarningAt = null;
  }
}

/** The URL's origin and path: a collector URL may carry credentials in its user info or query. */
function withoutSecrets(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { describe, expect, it } from "vitest";
import { ExportFailureLog } from "../../adapters/telemetry/export-failure-log.ts";
import { MemoryLogger } from "../../core/ports/logger.ts";

/** An exporter whose next results the test decides. */
class ScriptedExporter implements SpanExporter {
  readonly results: ExportResult[] = [];
  shutdowns = 0;
  export(_spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    done(this.results.shift() ?? { code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {
    this.shutdowns++;
  }
}

const failed = (message: string): ExportResult => ({
  code: ExportResultCode.FAILED,
  error: new Error(message),
});
const ok: ExportResult = { code: ExportResultCode.SUCCESS };
const spans = (n: number): ReadableSpan[] => Array.from({ length: n }, () => ({}) as ReadableSpan);

function setup() {
  let now = 1_000_000;
  const inner = new ScriptedExporter();
  const logger = new MemoryLogger();
  const exporter = new ExportFailureLog(inner, logger, {
    url: "https://user:secret@collector.example:4318/v1/traces?token=abc",
    intervalMs: 60_000,
    now: () => now,
  });
  const results: ExportResult[] = [];
  const send = (count: number): void => exporter.export(spans(count), (r) => results.push(r));
  return { inner, logger, exporter, results, send, advance: (ms: number) => (now += ms) };
}

describe("ExportFailureLog", () => {
  it("warns at the first failure, then at most once per interval with what it did not report", () => {
    const { inner, logger, send, advance } = setup();
    inner.results.push(
      failed("Bad Request"),
      failed("Bad Request"),
      failed("Bad Request"),
      failed("timeout"),
    );
    send(3);
    send(2);
    advance(30_000);
    send(5);
    advance(30_000);
    send(1);
    expect(logger.lines).toEqual([
      {
        level: "warn",
        message: "OTLP trace export failed; spans dropped",
        fields: {
          endpoint: "https://collector.example:4318/v1/traces",
          error: "Bad Request",
          failed_exports: 1,
          dropped_spans: 3,
        },
      },
      {
        level: "warn",
        message: "OTLP trace export failed; spans dropped",
        fields: {
          endpoint: "https://collector.example:4318/v1/traces",
          error: "timeout",
          failed_exports: 3,
          dropped_spans: 8,
        },
      },
    ]);
  });

  it("says once when exports work again, with the failures not yet reported", () => {
    const { inner, logger, send } = setup();
    inner.results.push(failed("refused"), failed("refused"), ok, ok);
    send(1);
    send(4);
    send(1);
    send(1);
    expect(logger.lines.map((l) => [l.level, l.fields])).toEqual([
      ["warn", expect.objectContaining({ failed_exports: 1, dropped_spans: 1 })],
      ["info", { endpoint: "https://collector.example:4318/v1/traces", failed_exports: 1, dropped_spans: 4 }],
    ]);
  });

  it("passes every result through, and shutdown to the exporter it wraps", async () => {
    const { inner, exporter, results, send } = setup();
    inner.results.push(failed("x"), ok);
    send(1);
    send(1);
    expect(results.map((r) => r.code)).toEqual([ExportResultCode.FAILED, ExportResultCode.SUCCESS]);
    await exporter.shutdown();
    expect(inner.shutdowns).toBe(1);
  });

  it("an exporter that throws counts as a failed export instead of reaching the processor", () => {
    const logger = new MemoryLogger();
    const throwing: SpanExporter = {
      export: () => {
        throw new Error("serializer bug");
      },
      shutdown: async () => {},
    };
    const results: ExportResult[] = [];
    new ExportFailureLog(throwing, logger, { url: "http://127.0.0.1:4318/v1/traces" }).export(spans(2), (r) =>
      results.push(r),
    );
    expect(results.map((r) => [r.code, r.error?.message])).toEqual([
      [ExportResultCode.FAILED, "serializer bug"],
    ]);
    expect(logger.lines).toHaveLength(1);
  });
});

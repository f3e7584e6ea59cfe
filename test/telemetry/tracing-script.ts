import process from "node:process";
import { createTracing } from "../../adapters/telemetry/otel-tracing.ts";
import { MemoryLogger } from "../../core/ports/logger.ts";
import { driveInterception } from "./interception-scenario.ts";

/**
 * Run by otel-runtimes.test.ts under Bun and Deno: tracing configured from this process's OTEL_*
 * variables, the shared scenario, a flush; prints the traceparents and log lines as JSON.
 */
const logger = new MemoryLogger();
const tracing = createTracing(process.env, logger);
if (!tracing) throw new Error("tracing is off: set OTEL_EXPORTER_OTLP_ENDPOINT");
const { traceparents } = driveInterception(tracing.observer);
await tracing.shutdown();
process.stdout.write(JSON.stringify({ traceparents, logs: logger.lines }));

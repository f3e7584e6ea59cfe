import type { LogLevel } from "../config/schema.ts";
import { LineBuffer } from "./line-buffer.ts";
import { jsonLogger } from "./system-ports.ts";

/** A batch window as short as the audit's: a crash loses at most this much of the log. */
const LOG_BUFFER = { maxDelayMs: 20, maxBytes: 64 * 1024 };

/**
 * The server's log: JSON lines on stderr, info lines (one per interception) written in batches,
 * warnings and errors at once (line-buffer.ts says why). `flush` before the process exits; it is
 * also flushed on `exit`.
 */
export function stderrLogger(level: LogLevel) {
  const stderr = new LineBuffer((text) => process.stderr.write(text), LOG_BUFFER);
  process.on("exit", () => stderr.flush());
  const logger = jsonLogger((line, lineLevel) => stderr.push(line, lineLevel !== "info"), level);
  return { logger, flush: () => stderr.flush() };
}

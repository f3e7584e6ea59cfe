import type { Clock } from "./clock.ts";

/** Operational log lines (not the audit). Fields must never carry secrets or prompts. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/**
 * A line that may repeat on every request during an outage (the identity provider is down), said
 * at most once per `intervalMs`; the next one says how many were held back (`suppressed`).
 */
export function throttledLine(
  log: (message: string, fields?: Record<string, unknown>) => void,
  clock: Clock,
  intervalMs: number,
): (message: string, fields?: Record<string, unknown>) => void {
  let last = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (message, fields) => {
    const now = clock.now();
    if (now - last < intervalMs) {
      suppressed++;
      return;
    }
    last = now;
    log(message, suppressed > 0 ? { ...fields, suppressed } : fields);
    suppressed = 0;
  };
}

export class MemoryLogger implements Logger {
  readonly lines: { level: string; message: string; fields: Record<string, unknown> | undefined }[] = [];
  info(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: "info", message, fields });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: "warn", message, fields });
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: "error", message, fields });
  }
}

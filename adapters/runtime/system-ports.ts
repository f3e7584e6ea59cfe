import type { Clock } from "../../core/ports/clock.ts";
import type { Ids } from "../../core/ports/ids.ts";
import type { Logger } from "../../core/ports/logger.ts";

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, callback) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** Interception ids: `int_` plus a random UUID (unguessable, sortable enough with started_at). */
export const randomIds: Ids = {
  interceptionId: () => `int_${crypto.randomUUID().replaceAll("-", "")}`,
};

/**
 * One JSON object per line on stderr. JSON.stringify escapes CR/LF and control characters, so
 * user-controlled values cannot forge log lines (AUD-08). Callers never pass secrets or prompts.
 */
export function jsonLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
  return { info: log("info"), warn: log("warn"), error: log("error") };
}

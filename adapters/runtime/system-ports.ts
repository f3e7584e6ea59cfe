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

/**
 * Interception ids: `int_`, the time in ms (12 hex digits), then 19 random hex digits (about 74 random bits). Unguessable, and
 * time-ordered so the store's primary-key index grows at its end instead of at random pages.
 */
export const randomIds: Ids = {
  interceptionId: () =>
    // randomUUID is the cheapest source of random bits; skip its dashes and version nibble.
    `int_${Date.now().toString(16).padStart(12, "0")}${crypto.randomUUID().replaceAll("-", "").slice(13, 33)}`,
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

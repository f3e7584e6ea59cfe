import type { Clock } from "../../core/ports/clock.ts";
import type { Ids } from "../../core/ports/ids.ts";
import type { Logger } from "../../core/ports/logger.ts";
import { LOG_LEVELS, type LogLevel } from "../config/schema.ts";
import { safeJson } from "./safe-json.ts";

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, callback) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
  precise: () => performance.now(),
};

/**
 * Interception ids: `int_`, the time in ms (12 hex digits), then 80 random bits (20 hex digits).
 * Unguessable, and time-ordered so the store's primary-key index grows at its end instead of at
 * random pages.
 */
export const randomIds: Ids = {
  interceptionId: () => `${timePrefix(Date.now())}${randomHex80()}`,
};

let prefixMs = -1;
let prefix = "";
/** `int_` + the time: rebuilt once per millisecond, not per request. */
function timePrefix(now: number): string {
  if (now !== prefixMs) {
    prefixMs = now;
    prefix = `int_${now.toString(16).padStart(12, "0")}`;
  }
  return prefix;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
/** Random bytes drawn from the CSPRNG in blocks: one call per 409 ids instead of one each. */
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

function randomHex80(): string {
  if (poolOffset + 10 > pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += 10;
  let hex = "";
  for (let i = 0; i < 10; i++) hex += HEX[pool[at + i]!]!;
  return hex;
}

/**
 * One JSON object per line on stderr. JSON.stringify escapes CR/LF and control characters, so
 * user-controlled values cannot forge log lines (AUD-08); safeJson also escapes the bidi and
 * separator characters a terminal showing the log would obey. Callers never pass secrets or prompts.
 */
export function jsonLogger(
  write: (line: string, level: LogLevel) => void = (line) => process.stderr.write(line),
  level: LogLevel = "info",
): Logger {
  const log = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) =>
    write(`${safeJson({ time: new Date().toISOString(), level, message, ...fields })}\n`, level);
  const skip = (): void => {};
  const rank = LOG_LEVELS.indexOf(level);
  return {
    info: rank <= 0 ? log("info") : skip,
    warn: rank <= 1 ? log("warn") : skip,
    error: log("error"),
  };
}

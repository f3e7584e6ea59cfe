import type { RetryPolicy } from "../config.ts";

/**
 * How long the upstream asked to wait: `retry-after-ms` (OpenAI), else `retry-after` in seconds
 * or as an HTTP date. Null when absent or unreadable.
 */
export function retryAfterMs(headers: Headers, now: number): number | null {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = headers.get("retry-after")?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Full-jitter exponential back-off for retry number `retry` (0 for the first retry): a random
 * delay up to base × 2^retry, capped. `random` is in [0, 1).
 */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(ceiling * random());
}

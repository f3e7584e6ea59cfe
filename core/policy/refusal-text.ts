import type { LimitName } from "../ports/usage-ledger.ts";

/** A limit as a developer reads it in their client: "60 requests per minute", "$10.00 per day". */
export function describeLimit(limit: LimitName, max: number): string {
  switch (limit) {
    case "requests_per_minute":
      return `${max} requests per minute`;
    case "tokens_per_minute":
      return `${max} tokens per minute`;
    case "tokens_per_day":
      return `${max} tokens per day`;
    case "usd_per_day":
      return `${dollars(max)} per day`;
    case "usd_per_month":
      return `${dollars(max)} per month`;
  }
}

/** Seconds as the largest units that matter: "40 s", "12 min", "3 h 5 min", "4 d 2 h". */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

function dollars(microUsd: number): string {
  return `$${(microUsd / 1e6).toFixed(2)}`;
}

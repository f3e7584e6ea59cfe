import type { InterceptionSummary } from "../ports/observer.ts";
import type { InterceptionStart } from "../ports/recorder.ts";

/**
 * The fields of an interception's one `info` log line (docs/operations.md lists them): who, what,
 * how it ended and how long it took. Never prompts, tool arguments, keys or the credential.
 */
export function interceptionLogFields(
  start: InterceptionStart,
  summary: InterceptionSummary,
): Record<string, unknown> {
  const { tokens } = summary;
  return {
    id: start.id,
    user: start.userName,
    provider: start.provider,
    api: start.api,
    model: start.model,
    response_model: summary.responseModel,
    streaming: start.streaming,
    client: start.client,
    status: summary.status,
    http_status: summary.httpStatus,
    detail: summary.detail,
    duration_ms: round(summary.durationMs),
    ttfb_ms: summary.ttfbMs === null ? null : round(summary.ttfbMs),
    attempts: summary.attempts,
    tokens: {
      input: tokens.input,
      output: tokens.output,
      cache_read: tokens.cacheRead,
      cache_write: tokens.cacheWrite,
      reasoning: tokens.reasoning,
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

import type { InterceptionTrace } from "../audit/interception-trace.ts";
import type { RetryPolicy } from "../config.ts";
import type { CircuitBreaker } from "../resilience/circuit-breaker.ts";
import { KEY_STATUSES } from "../resilience/key-pool.ts";
import { backoffMs, retryAfterMs } from "../resilience/retry-policy.ts";
import { type ProxyContext, upstreamPost } from "./context.ts";
import type { CallResult, Exchange } from "./exchange.ts";

export interface AttemptPlan {
  readonly context: ProxyContext;
  readonly exchange: Exchange;
  readonly trace: InterceptionTrace;
  readonly retry: RetryPolicy | null;
  readonly breaker: CircuitBreaker | null;
  /** This request is the half-open breaker's probe: its first attempt decides. */
  readonly probe: boolean;
  /** Streaming: the wait for headers, all attempts and waits included (null: the caller's deadline bounds it). */
  readonly firstByteTimeoutMs: number | null;
  /** How long attempts and the waits between them may take in all (the first-byte timeout). */
  readonly budgetMs: number;
}

/**
 * One upstream turn, tried again while nothing of it has reached the client: on a failed
 * connection and on the policy's statuses (honouring `retry-after` up to its cap, else jittered
 * exponential back-off), and on 401/403/429 with another key of the pool. Never after the client
 * left, never past the first-byte budget, never once the model's breaker opened. Every attempt is
 * counted in the trace (with the key's index); the turn's final outcome, retries spent, is what
 * the breaker counts: a blip the retries absorbed is not a failure. A failure the bridge gave up
 * retrying goes to the client with `x-should-retry: false`: one retry loop, not two.
 */
export async function sendAttempts(plan: AttemptPlan, body: BodyInit): Promise<CallResult> {
  const result = await attempt(plan, body);
  plan.breaker?.record(outcomeOf(result, plan.exchange), plan.probe);
  return result;
}

async function attempt(plan: AttemptPlan, body: BodyInit): Promise<CallResult> {
  const { context, exchange, trace, retry, breaker } = plan;
  const { ports } = context;
  const keys = context.upstream.keys;
  const start = ports.clock.now();
  for (let attempt = 0; ; attempt++) {
    const { key, index } = keys.pick();
    const traceparent = trace.attempt(index);
    const timeout =
      plan.firstByteTimeoutMs === null
        ? null
        : Math.max(0, plan.firstByteTimeoutMs - (ports.clock.now() - start));
    const result = await exchange.call(
      ports.upstream,
      upstreamPost(context, body, exchange.signal, key, traceparent),
      ports.clock,
      timeout,
      "first-byte-timeout",
    );
    trace.responded(result.ok ? result.response.status : null, result.ok ? null : result.error.message);
    if (exchange.cause !== null) return result;

    const now = ports.clock.now();
    const failed = result.ok && result.response.status >= 400 ? result.response : null;
    // Only a failure's headers are read: a 2xx on the hot path costs no header lookups here.
    const wait = failed ? retryAfterMs(failed.headers, now) : null;
    if (failed) keys.observe(index, failed);
    const delay = nextDelay(plan, result, attempt, index, wait);
    const left = plan.budgetMs - (now - start);
    if (delay === null || delay >= left || breaker?.state === "open") return gaveUp(result, retry);

    if (result.ok) await result.response.body?.cancel().catch(() => {});
    if (delay > 0 && !(await pause(context, exchange, delay)))
      return { ok: false, cause: exchange.cause, error: exchange.describe() };
  }
}

/** Ms to wait before the next attempt, or null: this result goes to the client. */
function nextDelay(
  plan: AttemptPlan,
  result: CallResult,
  attempt: number,
  keyIndex: number,
  retryAfter: number | null,
): number | null {
  const { retry } = plan;
  if (retry === null || attempt >= retry.attempts) return null;
  if (!result.ok) return retry.connect ? backoffMs(retry, attempt, plan.context.ports.random ?? full) : null;
  const { status, headers } = result.response;
  // Another key may not share this key's limit or revocation: try it at once.
  if (KEY_STATUSES.has(status) && plan.context.upstream.keys.hasAlternative(keyIndex)) return 0;
  if (!retry.statuses.has(status) || headers.get("x-should-retry") === "false") return null;
  // A 429 without a wait is a quota or spend limit, not a burst: retrying cannot help.
  if (status === 429 && retryAfter === null) return null;
  if (retryAfter !== null) return retryAfter <= retry.maxWaitMs ? retryAfter : null;
  return backoffMs(retry, attempt, plan.context.ports.random ?? full);
}

function outcomeOf(result: CallResult, exchange: Exchange): "success" | "failure" | "neutral" {
  if (result.ok)
    return result.response.status >= 500 || result.response.status === 429 ? "failure" : "success";
  // A client that left says nothing about the upstream; a timeout or a failed connection does.
  return exchange.cause === "client" || exchange.cause === "shutdown" ? "neutral" : "failure";
}

/** The last result, marked so the client does not retry what the bridge already retried. */
function gaveUp(result: CallResult, retry: RetryPolicy | null): CallResult {
  if (!result.ok || retry === null || !retry.statuses.has(result.response.status)) return result;
  const { response } = result;
  const headers = new Headers(response.headers);
  headers.set("x-should-retry", "false");
  return {
    ok: true,
    response: new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    }),
  };
}

/** Waits `ms` unless the exchange is aborted first; false when it was. */
function pause(context: ProxyContext, exchange: Exchange, ms: number): Promise<boolean> {
  const { signal } = exchange;
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (): void => {
      cancel();
      signal.removeEventListener("abort", done);
      resolve(!signal.aborted);
    };
    const cancel = context.ports.clock.setTimer(ms, done);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Without a random source, back-off waits its full ceiling. */
const full = (): number => 0.999_999;

import type { Auth } from "./ports/auth.ts";
import type { Clock } from "./ports/clock.ts";
import type { Ids } from "./ports/ids.ts";
import type { Logger } from "./ports/logger.ts";
import type { Observer } from "./ports/observer.ts";
import type { Recorder } from "./ports/recorder.ts";
import type { ToolProvider } from "./ports/tool-provider.ts";
import type { Upstream } from "./ports/upstream.ts";
import type { LimitName, UsageLedger } from "./ports/usage-ledger.ts";

export type ProviderKind = "anthropic" | "openai";

/**
 * What the bridge does with a client's own telemetry sent to a provider instance (Claude Code's
 * `POST /api/event_logging/batch`): `drop` answers it locally and forwards nothing (the default:
 * sending developers' telemetry to the provider is the enterprise's choice to make); `forward`
 * passes it through with the enterprise key.
 */
export type TelemetryMode = "drop" | "forward";

/** One upstream provider instance; its name is the route prefix (`/<name>/v1/...`). */
export interface ProviderConfig {
  readonly name: string;
  readonly kind: ProviderKind;
  /** Without `/v1`: the client's path after the prefix is appended to it. */
  readonly baseUrl: string;
  /** The enterprise key (the first of `apiKeys` when there are several). Never logged, recorded or returned. */
  readonly apiKey: string;
  /** Several enterprise keys, rotated on 429, 401 and 403 (core/resilience/key-pool.ts). */
  readonly apiKeys?: readonly string[];
  /** When an upstream attempt is tried again; absent: never. */
  readonly retry?: RetryPolicy;
  /** Per model of this instance; absent: no breaker. */
  readonly circuitBreaker?: BreakerPolicy;
  /** Client telemetry routes: absent means `drop`. */
  readonly telemetry?: TelemetryMode;
  /** Query parameters forwarded beyond the APIs' own (core/http/query.ts). */
  readonly forwardQuery?: readonly string[];
  /** Response headers relayed beyond the default allow-list; `prefix*` for a family (core/http/response-headers.ts). */
  readonly relayHeaders?: readonly string[];
}

/**
 * When an upstream attempt is tried again (`providers[].retry`): only before anything of the turn
 * reached the client, never for a client that left (core/pipeline/attempts.ts).
 */
export interface RetryPolicy {
  /** Attempts after the first (0: never retry). */
  readonly attempts: number;
  /** Upstream statuses that are retried. */
  readonly statuses: ReadonlySet<number>;
  /** Whether a connection that failed before any response (refused, reset, DNS) is retried. */
  readonly connect: boolean;
  /** A `retry-after` longer than this is not waited for: the error goes to the client at once. */
  readonly maxWaitMs: number;
  /** Back-off without `retry-after`: up to base × 2^retry, at most `maxDelayMs`, full jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 2,
  statuses: new Set([429, 500, 502, 503, 504, 529]),
  connect: true,
  maxWaitMs: 60_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
};

/** `providers[].circuit_breaker`: opens after `failures` failures within `windowMs`, for `openMs`. */
export interface BreakerPolicy {
  readonly failures: number;
  readonly windowMs: number;
  readonly openMs: number;
}

export const DEFAULT_BREAKER: BreakerPolicy = { failures: 5, windowMs: 10_000, openMs: 30_000 };

/** Every limit the bridge enforces; defaults in DEFAULT_LIMITS, documented in docs/configuration.md. */
export interface Limits {
  /** Largest request body accepted on intercepted and passthrough routes (413 above). */
  readonly maxBodyBytes: number;
  /** Streaming: time allowed until the upstream's response headers arrive (504 after). */
  readonly firstByteTimeoutMs: number;
  /** Blocking: time allowed for the whole upstream response (504 after). */
  readonly blockingTimeoutMs: number;
  /** Streaming: longest silence between upstream chunks before the stream is cut. */
  readonly streamIdleTimeoutMs: number;
  /** Streaming: keep-alive sent to the client after this much upstream silence. */
  readonly pingIntervalMs: number;
  /** Streaming: hard cap on a stream's total duration. */
  readonly maxStreamDurationMs: number;
  /** Requests that already passed through this many Causeway hops are refused (508). */
  readonly maxHops: number;
  /** Largest upstream SSE event (or line) decoded, in characters; a stream past it is cut (502 in-band). */
  readonly maxEventBytes: number;
  /** Largest blocking upstream body read (an answer, or an error); 502 above. */
  readonly maxResponseBytes: number;
  /** Longest silence while a request body arrives (400 after; 0: none). Set by `server.idle_timeout_s`. */
  readonly bodyIdleTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 32 * 1024 * 1024,
  firstByteTimeoutMs: 60_000,
  blockingTimeoutMs: 600_000,
  streamIdleTimeoutMs: 300_000,
  pingIntervalMs: 10_000,
  maxStreamDurationMs: 60 * 60_000,
  maxHops: 2,
  maxEventBytes: 64 * 1024 * 1024,
  maxResponseBytes: 64 * 1024 * 1024,
  bodyIdleTimeoutMs: 120_000,
};

/**
 * One level of `policies` (`default`, `groups.<group>`, `users.<name>`). A field left out defers
 * to the less specific levels; `null` lifts a limit set by one of them. USD limits are in dollars.
 */
export interface Policy {
  readonly limits?: Partial<Record<LimitName, number | null>>;
  readonly concurrentRequests?: number | null;
  /** Allowed models, anchored like key scopes (core/auth/model-scopes.ts). */
  readonly models?: readonly RegExp[];
}

/** `policies`: the levels that merge (core/policy/policy.ts). */
export interface PolicySet {
  readonly default?: Policy;
  readonly groups?: ReadonlyMap<string, Policy>;
  readonly users?: ReadonlyMap<string, Policy>;
}

/** USD per million tokens. */
export interface TokenPrices {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

/** `pricing.<pattern>` of the config: a model regex matched against the whole model name. */
export interface PriceRule {
  readonly pattern: string;
  readonly prices: TokenPrices;
}

export interface BridgeConfig {
  readonly providers: readonly ProviderConfig[];
  readonly limits: Limits;
  /** Usage limits and model access per user (core/policy/); absent or empty: none. */
  readonly policies?: PolicySet;
  /** Operator prices (USD per million tokens), tried before the defaults (core/policy/default-pricing.ts). */
  readonly pricing?: readonly PriceRule[];
  /** Requests served at once; more get 503 with `retry-after` (`server.max_inflight`). Absent: no cap. */
  readonly maxInflight?: number;
}

/** Everything the core reaches outside itself. */
export interface BridgePorts {
  readonly auth: Auth;
  readonly recorder: Recorder;
  readonly upstream: Upstream;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly tools?: ToolProvider;
  readonly logger?: Logger;
  /** Uniform in [0, 1), for retry jitter; without it back-off waits its full ceiling. */
  readonly random?: () => number;
  /** Metrics and traces (adapters/telemetry/); absent: nothing is observed. */
  readonly observer?: Observer;
  /**
   * The `GET /metrics` answer (Prometheus text), served on the main listener to admins. Absent:
   * `/metrics` is not served here (its own listener has it, or metrics are off).
   */
  readonly metricsPage?: () => Promise<Response>;
  /**
   * Where use against `policies` limits is counted. Absent: in this process's memory. Instances
   * sharing a PostgreSQL store pass a `SqlUsageLedger` so that limits hold across them.
   */
  readonly usageLedger?: UsageLedger;
}

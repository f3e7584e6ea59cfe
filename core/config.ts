import type { Auth } from "./ports/auth.ts";
import type { Clock } from "./ports/clock.ts";
import type { Ids } from "./ports/ids.ts";
import type { Logger } from "./ports/logger.ts";
import type { Recorder } from "./ports/recorder.ts";
import type { ToolProvider } from "./ports/tool-provider.ts";
import type { Upstream } from "./ports/upstream.ts";

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
  /** The enterprise key. Never logged, recorded or returned. */
  readonly apiKey: string;
  /** Client telemetry routes: absent means `drop`. */
  readonly telemetry?: TelemetryMode;
}

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
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 32 * 1024 * 1024,
  firstByteTimeoutMs: 60_000,
  blockingTimeoutMs: 600_000,
  streamIdleTimeoutMs: 300_000,
  pingIntervalMs: 10_000,
  maxStreamDurationMs: 60 * 60_000,
  maxHops: 2,
};

export interface BridgeConfig {
  readonly providers: readonly ProviderConfig[];
  readonly limits: Limits;
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
}

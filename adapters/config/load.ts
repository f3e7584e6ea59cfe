import * as v from "valibot";
import { parse as parseYaml } from "yaml";
import { DEFAULT_BATCHING, type WhenStoreDown } from "../../core/audit/batching-recorder.ts";
import {
  DEFAULT_BREAKER,
  DEFAULT_LIMITS,
  DEFAULT_RETRY,
  type Limits,
  type ProviderConfig,
} from "../../core/config.ts";
import type { PolicySet } from "../../core/policy/policy.ts";
import type { PriceRule } from "../../core/policy/pricing.ts";
import { isPostgresUrl } from "../store/open-sql.ts";
import { type AuthSettings, resolveAuth } from "./auth-settings.ts";
import { ConfigError } from "./errors.ts";
import { resolvePolicies, resolvePricing } from "./policy-settings.ts";
import {
  type ConfigFile,
  ConfigFileSchema,
  LOG_LEVELS,
  type LogLevel,
  type McpServerConfig,
  type ProviderFile,
} from "./schema.ts";

/** The resolved settings the server runs with (file, then environment overrides, then defaults). */
export interface Settings {
  readonly listen: { readonly hostname: string; readonly port: number };
  readonly db: string;
  readonly providers: readonly ProviderConfig[];
  readonly limits: Limits;
  readonly auth: AuthSettings;
  /** Usage limits and model access (docs/policies.md). */
  readonly policies: PolicySet;
  /** Operator prices, tried before the defaults. */
  readonly pricing: readonly PriceRule[];
  /** Requests served at once before 503 (`server.max_inflight`). */
  readonly maxInflight: number;
  readonly shutdownGraceMs: number;
  readonly idleTimeoutS: number;
  /** Lines below this level are not written (`log.level`, `CAUSEWAY_LOG_LEVEL`). */
  readonly logLevel: LogLevel;
  readonly metrics: {
    /** `metrics.enabled: false` turns metrics off: no series, no `/metrics`. */
    readonly enabled: boolean;
    /** Its own listener for `GET /metrics`, without auth; null: on the main listener, for admins. */
    readonly listen: { readonly hostname: string; readonly port: number } | null;
    /** Distinct values kept per caller-supplied label (model, client, tool) before `other`. */
    readonly labelCap: number;
  };
  /** Audit durability while the store is down (docs/operations.md, "When the store is down"). */
  readonly audit: {
    readonly whenStoreDown: WhenStoreDown;
    readonly spoolPath: string;
    readonly maxSpoolBytes: number;
  };
  readonly mcp: {
    readonly servers: readonly McpServerConfig[];
    readonly toolTimeoutMs: number;
    readonly maxRounds: number;
    readonly maxResultBytes: number;
  };
}

export { ConfigError };

/**
 * `server.max_inflight` by default: above the 9,500 concurrent streams one instance was measured to
 * hold without a stall (docs/benchmarks.md; about 27 KiB each, 2 sockets each), so it never refuses
 * what the bridge can serve, and low enough that a flood is refused before memory or descriptors
 * run out.
 */
export const DEFAULT_MAX_INFLIGHT = 10_000;

const DEFAULT_BASE_URLS = {
  anthropic: "https://api.anthropic.com",
  openai: "https://api.openai.com",
} as const;

/**
 * Builds settings from the YAML text (may be empty) and the environment. `${NAME}` in file values
 * reads the environment; a missing variable is an error naming the key that used it. Providers
 * without a key are disabled (their routes answer 404), never run with an empty key.
 */
export function resolveSettings(yamlText: string | null, env: Record<string, string | undefined>): Settings {
  let raw: unknown = {};
  if (yamlText !== null && yamlText.trim() !== "") {
    try {
      raw = parseYaml(yamlText) ?? {};
    } catch (error) {
      throw new ConfigError(
        `config: not valid YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      );
    }
  }
  const expanded = expandEnv(raw, env, "");
  const result = v.safeParse(ConfigFileSchema, expanded);
  if (!result.success) {
    throw new ConfigError(
      result.issues.map((issue) => `config: ${issuePath(issue)}: ${issue.message}`).join("\n"),
    );
  }
  const file: ConfigFile = result.output;
  // An empty variable counts as unset, as for the provider keys.
  const listen = parseListen(
    env.CAUSEWAY_LISTEN || file.listen || "127.0.0.1:8080",
    env.CAUSEWAY_LISTEN ? "CAUSEWAY_LISTEN" : "listen",
  );
  const limits = file.limits ?? {};
  const idleTimeoutS = file.server?.idle_timeout_s ?? 120;
  const db = env.CAUSEWAY_DB || file.db || "./causeway.db";
  const metricsListen = env.CAUSEWAY_METRICS_LISTEN || file.metrics?.listen;
  if (metricsListen && file.metrics?.enabled === false)
    throw new ConfigError("config: metrics.listen: set while metrics.enabled is false");
  return {
    listen,
    db,
    providers: resolveProviders(file, env),
    limits: {
      maxBodyBytes: limits.max_body_bytes ?? DEFAULT_LIMITS.maxBodyBytes,
      firstByteTimeoutMs: limits.first_byte_timeout_ms ?? DEFAULT_LIMITS.firstByteTimeoutMs,
      blockingTimeoutMs: limits.blocking_timeout_ms ?? DEFAULT_LIMITS.blockingTimeoutMs,
      streamIdleTimeoutMs: limits.stream_idle_timeout_ms ?? DEFAULT_LIMITS.streamIdleTimeoutMs,
      pingIntervalMs: limits.ping_interval_ms ?? DEFAULT_LIMITS.pingIntervalMs,
      maxStreamDurationMs: limits.max_stream_duration_ms ?? DEFAULT_LIMITS.maxStreamDurationMs,
      maxHops: limits.max_hops ?? DEFAULT_LIMITS.maxHops,
      maxEventBytes: limits.max_event_bytes ?? DEFAULT_LIMITS.maxEventBytes,
      maxResponseBytes: limits.max_response_bytes ?? DEFAULT_LIMITS.maxResponseBytes,
      // One knob for the connection's idle time and a request body's silence (docs/runtimes.md).
      bodyIdleTimeoutMs: idleTimeoutS * 1000,
    },
    auth: resolveAuth(file.auth),
    policies: resolvePolicies(file.policies),
    pricing: resolvePricing(file.pricing),
    maxInflight: file.server?.max_inflight ?? DEFAULT_MAX_INFLIGHT,
    shutdownGraceMs: file.server?.shutdown_grace_ms ?? 30_000,
    idleTimeoutS,
    logLevel: logLevel(env.CAUSEWAY_LOG_LEVEL, file.log?.level),
    metrics: {
      enabled: file.metrics?.enabled ?? true,
      listen: metricsListen
        ? parseListen(
            metricsListen,
            env.CAUSEWAY_METRICS_LISTEN ? "CAUSEWAY_METRICS_LISTEN" : "metrics.listen",
          )
        : null,
      labelCap: file.metrics?.label_cap ?? 100,
    },
    audit: {
      whenStoreDown: file.audit?.when_store_down ?? DEFAULT_BATCHING.whenStoreDown,
      // Next to the SQLite file; for PostgreSQL in the working directory (one per instance).
      spoolPath:
        file.audit?.spool_path ??
        (isPostgresUrl(db) ? "./causeway-audit-spool.jsonl" : `${db}.audit-spool.jsonl`),
      maxSpoolBytes: file.audit?.max_spool_bytes ?? DEFAULT_BATCHING.maxSpoolBytes,
    },
    mcp: {
      servers: file.mcp?.servers ?? [],
      toolTimeoutMs: file.mcp?.tool_timeout_ms ?? 60_000,
      maxRounds: file.mcp?.max_rounds ?? 10,
      maxResultBytes: file.mcp?.max_result_bytes ?? 1024 * 1024,
    },
  };
}

function resolveProviders(file: ConfigFile, env: Record<string, string | undefined>): ProviderConfig[] {
  const declared: NonNullable<ConfigFile["providers"]> = file.providers ?? [
    { name: "anthropic", kind: "anthropic" as const },
    { name: "openai", kind: "openai" as const },
  ];
  const names = new Set<string>();
  const out: ProviderConfig[] = [];
  for (const [index, provider] of declared.entries()) {
    if (names.has(provider.name))
      throw new ConfigError(`config: providers[${index}].name: "${provider.name}" is used twice`);
    names.add(provider.name);
    // The default instances take the contract's environment variables, which win over the file.
    const isDefault = provider.name === provider.kind;
    const envKey = isDefault
      ? env[provider.kind === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY"]
      : undefined;
    const envUrl = isDefault
      ? env[provider.kind === "anthropic" ? "CAUSEWAY_ANTHROPIC_BASE_URL" : "CAUSEWAY_OPENAI_BASE_URL"]
      : undefined;
    // The environment's key replaces the file's key or pool, as it replaces everything it names.
    const apiKeys = envKey ? [envKey] : (provider.api_keys ?? (provider.api_key ? [provider.api_key] : []));
    if (apiKeys.length === 0) continue;
    const baseUrl = envUrl || provider.base_url || DEFAULT_BASE_URLS[provider.kind];
    if (!URL.canParse(baseUrl))
      throw new ConfigError(`config: providers[${index}].base_url: "${baseUrl}" is not a URL`);
    out.push({
      name: provider.name,
      kind: provider.kind,
      baseUrl,
      apiKey: apiKeys[0]!,
      ...(apiKeys.length > 1 ? { apiKeys } : {}),
      ...resilienceOf(provider),
      // Absent means drop (core/config.ts); only a file that says so changes it.
      ...(provider.telemetry ? { telemetry: provider.telemetry } : {}),
      ...(provider.forward_query ? { forwardQuery: provider.forward_query } : {}),
      ...(provider.relay_headers ? { relayHeaders: provider.relay_headers } : {}),
    });
  }
  return out;
}

/** `retry` and `circuit_breaker` of one instance, over the contract's defaults (both on). */
function resilienceOf(provider: ProviderFile): Pick<ProviderConfig, "retry" | "circuitBreaker"> {
  const retry = provider.retry;
  const on = retry?.on;
  const breaker = provider.circuit_breaker;
  return {
    retry: {
      ...DEFAULT_RETRY,
      attempts: retry?.attempts ?? DEFAULT_RETRY.attempts,
      ...(on
        ? { statuses: new Set(on.filter((s) => s !== "connect")), connect: on.includes("connect") }
        : {}),
      maxWaitMs: retry?.max_wait_ms ?? DEFAULT_RETRY.maxWaitMs,
    },
    ...(breaker === false
      ? {}
      : {
          circuitBreaker: {
            failures: breaker?.failures ?? DEFAULT_BREAKER.failures,
            windowMs: breaker?.window_ms ?? DEFAULT_BREAKER.windowMs,
            openMs: breaker?.open_ms ?? DEFAULT_BREAKER.openMs,
          },
        }),
  };
}

function logLevel(fromEnv: string | undefined, fromFile: LogLevel | undefined): LogLevel {
  if (!fromEnv) return fromFile ?? "info";
  const level = LOG_LEVELS.find((l) => l === fromEnv);
  if (!level)
    throw new ConfigError(`config: CAUSEWAY_LOG_LEVEL: must be "info", "warn" or "error", got "${fromEnv}"`);
  return level;
}

function parseListen(value: string, key: string): { hostname: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new ConfigError(`config: ${key}: expected host:port, got "${value}"`);
  return { hostname: match[1]!.replace(/^\[|\]$/g, ""), port };
}

function expandEnv(value: unknown, env: Record<string, string | undefined>, path: string): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined)
        throw new ConfigError(`config: ${path || "(root)"}: environment variable ${name} is not set`);
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => expandEnv(item, env, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, item]) => [
        k,
        k === "headers" ? item : expandEnv(item, env, path ? `${path}.${k}` : k),
      ]),
    );
  }
  return value;
}

function issuePath(issue: v.BaseIssue<unknown>): string {
  const path = issue.path ?? [];
  let out = "";
  for (const item of path) {
    const key = (item as { key: unknown }).key;
    out += typeof key === "number" ? `[${key}]` : out ? `.${String(key)}` : String(key);
  }
  return out || "(root)";
}

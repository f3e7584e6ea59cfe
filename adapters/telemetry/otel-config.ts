import { parseKeyPairsIntoRecord } from "@opentelemetry/core";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace";
import type { Logger } from "../../core/ports/logger.ts";

/**
 * Tracing's configuration from the standard OTEL_* variables, read from the `env` the caller gives
 * (not process.env), so one function decides everything and tests need no global state. The 2.x
 * SDK reads none of these itself (sampler, resource and batch variables moved to sdk-node), and the
 * exporters read theirs from process.env only: what they would read is read here and passed
 * explicitly. Left to the exporters: the TLS file variables (`OTEL_EXPORTER_OTLP_*CERTIFICATE`,
 * `*_CLIENT_KEY`), read from process.env.
 */

export type OtlpProtocol = "http/protobuf" | "http/json";

export interface TracingConfig {
  readonly protocol: OtlpProtocol;
  readonly exporter: {
    /** Where spans are POSTed: the traces endpoint as given, or the generic one plus `/v1/traces`. */
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly timeoutMillis?: number;
    readonly compression?: "gzip" | "none";
  };
  readonly sampler: Sampler;
  /** Resource attributes, `service.name` included. */
  readonly resource: Readonly<Record<string, string>>;
  readonly batch: {
    readonly scheduledDelayMillis?: number;
    readonly exportTimeoutMillis?: number;
    readonly maxQueueSize?: number;
    readonly maxExportBatchSize?: number;
  };
}

type Env = Record<string, string | undefined>;

/** The default service name when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES sets one. */
export const DEFAULT_SERVICE_NAME = "causeway";

/**
 * The configuration, or null when tracing is off: no endpoint set, `OTEL_SDK_DISABLED=true`,
 * `OTEL_TRACES_EXPORTER=none`, or an endpoint that is not a URL. Problems with other variables are
 * logged once each and fall back to the spec's defaults; nothing here throws.
 */
export function readTracingConfig(env: Env, logger: Logger): TracingConfig | null {
  const tracesEndpoint = value(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const endpoint = value(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  if (tracesEndpoint === undefined && endpoint === undefined) return null;
  if (value(env, "OTEL_SDK_DISABLED")?.toLowerCase() === "true") return null;
  if (!otlpExporterChosen(env, logger)) return null;

  // The spec's rule: a signal-specific endpoint is used as-is, the generic one is a base URL.
  const url = tracesEndpoint ?? `${endpoint!.replace(/\/$/, "")}/v1/traces`;
  if (!isHttpUrl(url)) {
    const variable = tracesEndpoint ? "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" : "OTEL_EXPORTER_OTLP_ENDPOINT";
    logger.warn(`${variable} is not an http(s) URL; tracing is off`);
    return null;
  }
  const timeoutMillis = positiveNumber(
    env,
    logger,
    "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
    "OTEL_EXPORTER_OTLP_TIMEOUT",
  );
  const compression = readCompression(env, logger);
  return {
    protocol: readProtocol(env, logger),
    exporter: {
      url,
      // Specific headers win over generic ones, as the exporters merge them.
      headers: {
        ...parseKeyPairsIntoRecord(value(env, "OTEL_EXPORTER_OTLP_HEADERS")),
        ...parseKeyPairsIntoRecord(value(env, "OTEL_EXPORTER_OTLP_TRACES_HEADERS")),
      },
      ...(timeoutMillis === undefined ? {} : { timeoutMillis }),
      ...(compression === undefined ? {} : { compression }),
    },
    sampler: readSampler(env, logger),
    resource: readResource(env, logger),
    batch: readBatchLimits(env, logger),
  };
}

/** `collector:4318` parses as a URL with the scheme `collector:`; OTLP/HTTP needs http or https. */
function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

/** A variable's value, trimmed; unset and empty are the same (the spec's rule). */
function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

function otlpExporterChosen(env: Env, logger: Logger): boolean {
  const names = (value(env, "OTEL_TRACES_EXPORTER") ?? "otlp").split(",").map((n) => n.trim().toLowerCase());
  if (names.includes("none")) return false;
  const unsupported = names.filter((n) => n !== "otlp" && n !== "");
  if (unsupported.length > 0)
    logger.warn("OTEL_TRACES_EXPORTER: only otlp is supported; exporting over OTLP", {
      ignored: unsupported,
    });
  return true;
}

function readProtocol(env: Env, logger: Logger): OtlpProtocol {
  const variable = value(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
    ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
    : "OTEL_EXPORTER_OTLP_PROTOCOL";
  const protocol = value(env, variable)?.toLowerCase() ?? "http/protobuf";
  if (protocol === "http/protobuf" || protocol === "http/json") return protocol;
  logger.warn(
    `${variable}=${protocol} is not supported (only http/protobuf and http/json); using http/protobuf`,
  );
  return "http/protobuf";
}

function readCompression(env: Env, logger: Logger): "gzip" | "none" | undefined {
  for (const variable of ["OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"]) {
    const compression = value(env, variable)?.toLowerCase();
    if (compression === undefined) continue;
    if (compression === "gzip" || compression === "none") return compression;
    logger.warn(`${variable} must be gzip or none; sending uncompressed`);
    return undefined;
  }
  return undefined;
}

/** The first of `variables` that is set, as a number > 0 (the spec's timeouts and sizes). */
function positiveNumber(env: Env, logger: Logger, ...variables: string[]): number | undefined {
  for (const variable of variables) {
    const raw = value(env, variable);
    if (raw === undefined) continue;
    const number = Number(raw);
    if (Number.isFinite(number) && number > 0) return number;
    logger.warn(`${variable} must be a number greater than 0; using the default`);
    return undefined;
  }
  return undefined;
}

const SAMPLERS = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;

function readSampler(env: Env, logger: Logger): Sampler {
  let name = value(env, "OTEL_TRACES_SAMPLER")?.toLowerCase() ?? "parentbased_always_on";
  if (!(SAMPLERS as readonly string[]).includes(name)) {
    logger.warn(`OTEL_TRACES_SAMPLER=${name} is not supported; using parentbased_always_on`, {
      supported: SAMPLERS,
    });
    name = "parentbased_always_on";
  }
  const ratio = (): TraceIdRatioBasedSampler => new TraceIdRatioBasedSampler(readRatio(env, logger));
  switch (name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return ratio();
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: ratio() });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** OTEL_TRACES_SAMPLER_ARG for the ratio samplers: a probability, 1.0 when unset or invalid. */
function readRatio(env: Env, logger: Logger): number {
  const raw = value(env, "OTEL_TRACES_SAMPLER_ARG");
  if (raw === undefined) return 1;
  const ratio = Number(raw);
  if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) return ratio;
  logger.warn("OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1; sampling everything");
  return 1;
}

/**
 * `service.name` and the other resource attributes: OTEL_SERVICE_NAME wins over a `service.name`
 * in OTEL_RESOURCE_ATTRIBUTES, which wins over the default. A malformed OTEL_RESOURCE_ATTRIBUTES
 * is discarded whole, as the spec says.
 */
function readResource(env: Env, logger: Logger): Record<string, string> {
  let listed: Record<string, string> = {};
  const raw = value(env, "OTEL_RESOURCE_ATTRIBUTES");
  if (raw !== undefined) {
    const parsed = parseResourceAttributes(raw);
    if (parsed) listed = parsed;
    else logger.warn("OTEL_RESOURCE_ATTRIBUTES is not a list of key=value pairs; ignored");
  }
  const serviceName = value(env, "OTEL_SERVICE_NAME");
  return {
    "service.name": DEFAULT_SERVICE_NAME,
    ...listed,
    ...(serviceName === undefined ? {} : { "service.name": serviceName }),
  };
}

/** `k1=v1,k2=v2` with percent-encoded keys and values; null if any entry is malformed. */
function parseResourceAttributes(raw: string): Record<string, string> | null {
  const attributes: Record<string, string> = {};
  for (const entry of raw.split(",")) {
    if (entry.trim() === "") continue;
    const parts = entry.split("=");
    if (parts.length !== 2 || parts[0]!.trim() === "") return null;
    try {
      attributes[decodeURIComponent(parts[0]!.trim())] = decodeURIComponent(parts[1]!.trim());
    } catch {
      return null;
    }
  }
  return attributes;
}

/** The batch span processor's OTEL_BSP_* variables (the 2.x SDK no longer reads them). */
function readBatchLimits(env: Env, logger: Logger): TracingConfig["batch"] {
  const limits: Record<string, number> = {};
  const read = (key: string, variable: string): void => {
    const number = positiveNumber(env, logger, variable);
    if (number !== undefined) limits[key] = number;
  };
  read("scheduledDelayMillis", "OTEL_BSP_SCHEDULE_DELAY");
  read("exportTimeoutMillis", "OTEL_BSP_EXPORT_TIMEOUT");
  read("maxQueueSize", "OTEL_BSP_MAX_QUEUE_SIZE");
  read("maxExportBatchSize", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE");
  return limits;
}

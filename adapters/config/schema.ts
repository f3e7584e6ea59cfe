import * as v from "valibot";

const positiveInt = v.pipe(
  v.number("expected a number"),
  v.integer("expected an integer"),
  v.minValue(1, "must be at least 1"),
);
const nonEmpty = v.pipe(v.string("expected a string"), v.nonEmpty("must not be empty"));
const regex = v.pipe(
  v.string("expected a regular expression"),
  v.check((source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  }, "is not a valid regular expression"),
);

export const ProviderSchema = v.strictObject({
  name: v.pipe(nonEmpty, v.regex(/^[a-z0-9][a-z0-9-]*$/, "must be lowercase letters, digits and dashes")),
  kind: v.picklist(["anthropic", "openai"], 'must be "anthropic" or "openai"'),
  base_url: v.optional(v.pipe(nonEmpty, v.url("must be a URL"))),
  api_key: v.optional(v.string("expected a string")),
});

export const McpServerSchema = v.strictObject({
  name: v.pipe(nonEmpty, v.regex(/^[a-zA-Z0-9_-]+$/, "must be letters, digits, _ and -")),
  url: v.pipe(nonEmpty, v.url("must be a URL")),
  headers: v.optional(v.record(v.string(), v.string("expected a string"))),
  allow: v.optional(v.array(regex)),
  deny: v.optional(v.array(regex)),
});

/** The YAML file's shape. Every key is optional; unknown keys are errors (typos must not pass). */
export const ConfigFileSchema = v.strictObject({
  listen: v.optional(nonEmpty),
  db: v.optional(nonEmpty),
  providers: v.optional(v.array(ProviderSchema)),
  limits: v.optional(
    v.strictObject({
      max_body_bytes: v.optional(positiveInt),
      first_byte_timeout_ms: v.optional(positiveInt),
      blocking_timeout_ms: v.optional(positiveInt),
      stream_idle_timeout_ms: v.optional(positiveInt),
      ping_interval_ms: v.optional(positiveInt),
      max_stream_duration_ms: v.optional(positiveInt),
      max_hops: v.optional(positiveInt),
    }),
  ),
  auth: v.optional(
    v.strictObject({ cache_ttl_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))) }),
  ),
  server: v.optional(
    v.strictObject({
      shutdown_grace_ms: v.optional(positiveInt),
      idle_timeout_s: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(255))),
    }),
  ),
  audit: v.optional(
    v.strictObject({
      when_store_down: v.optional(v.picklist(["spool", "reject"], 'must be "spool" or "reject"')),
      spool_path: v.optional(nonEmpty),
      max_spool_bytes: v.optional(positiveInt),
    }),
  ),
  mcp: v.optional(
    v.strictObject({
      servers: v.optional(v.array(McpServerSchema)),
      tool_timeout_ms: v.optional(positiveInt),
      max_rounds: v.optional(positiveInt),
      max_result_bytes: v.optional(positiveInt),
    }),
  ),
});

export type ConfigFile = v.InferOutput<typeof ConfigFileSchema>;
export type McpServerConfig = v.InferOutput<typeof McpServerSchema>;

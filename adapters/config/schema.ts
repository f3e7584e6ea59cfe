import * as v from "valibot";
import { ASYMMETRIC_JWS_ALGORITHMS } from "../../core/auth/jwt-verifier.ts";
import { PoliciesSchema, PricingSchema } from "./policy-schema.ts";
import { nonEmpty, nonNegativeInt, positiveInt, regex } from "./validators.ts";

const httpStatus = v.pipe(
  v.number("expected a status code"),
  v.integer("expected a status code"),
  v.minValue(400, "must be 400-599"),
  v.maxValue(599, "must be 400-599"),
);

export const ProviderSchema = v.strictObject({
  name: v.pipe(nonEmpty, v.regex(/^[a-z0-9][a-z0-9-]*$/, "must be lowercase letters, digits and dashes")),
  kind: v.picklist(["anthropic", "openai"], 'must be "anthropic" or "openai"'),
  base_url: v.optional(v.pipe(nonEmpty, v.url("must be a URL"))),
  api_key: v.optional(v.string("expected a string")),
  api_keys: v.optional(v.pipe(v.array(nonEmpty), v.minLength(1, "must hold at least one key"))),
  retry: v.optional(
    v.strictObject({
      attempts: v.optional(
        v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10, "must be at most 10")),
      ),
      on: v.optional(
        v.array(v.union([httpStatus, v.literal("connect")], 'expected a status code or "connect"')),
      ),
      max_wait_ms: v.optional(positiveInt),
    }),
  ),
  circuit_breaker: v.optional(
    v.union(
      [
        v.literal(false),
        v.strictObject({
          failures: v.optional(positiveInt),
          window_ms: v.optional(positiveInt),
          open_ms: v.optional(positiveInt),
        }),
      ],
      "expected false or {failures, window_ms, open_ms}",
    ),
  ),
  /** Client telemetry (Claude Code's `/api/event_logging/batch`): answered and dropped, or forwarded. */
  telemetry: v.optional(v.picklist(["drop", "forward"], 'must be "drop" or "forward"')),
  /** Query parameters forwarded beyond the APIs' own (docs/configuration.md). */
  forward_query: v.optional(v.array(nonEmpty)),
  /** Response headers relayed beyond the default allow-list; `prefix*` for a family. */
  relay_headers: v.optional(
    v.array(
      v.pipe(
        nonEmpty,
        v.regex(/^[A-Za-z0-9!#$%&'+.^_`|~-]+\*?$/, "must be a header name, or a prefix ending in *"),
      ),
    ),
  ),
});

export const McpServerSchema = v.strictObject({
  name: v.pipe(nonEmpty, v.regex(/^[a-zA-Z0-9_-]+$/, "must be letters, digits, _ and -")),
  url: v.pipe(nonEmpty, v.url("must be a URL")),
  headers: v.optional(v.record(v.string(), v.string("expected a string"))),
  allow: v.optional(v.array(regex)),
  deny: v.optional(v.array(regex)),
});

const names = v.array(nonEmpty);
const headerName = v.pipe(nonEmpty, v.regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be an HTTP header name"));

export const AUTH_METHODS = ["keys", "jwt", "introspection"] as const;

/** `auth:`: the method chain and each method's settings (docs/configuration.md, "Identity"). */
export const AuthSchema = v.strictObject({
  cache_ttl_ms: v.optional(nonNegativeInt),
  methods: v.optional(
    v.pipe(
      v.array(v.picklist(AUTH_METHODS, 'must be "keys", "jwt" or "introspection"')),
      v.minLength(1, "must name at least one method"),
      v.check((list) => new Set(list).size === list.length, "must not name a method twice"),
    ),
  ),
  jwt: v.optional(
    v.strictObject({
      issuer: nonEmpty,
      audience: v.union(
        [nonEmpty, v.pipe(names, v.minLength(1, "must not be empty"))],
        "expected a string or a list of strings",
      ),
      jwks_url: v.optional(v.pipe(nonEmpty, v.url("must be a URL"))),
      user_claim: v.optional(nonEmpty),
      name_claim: v.optional(nonEmpty),
      groups_claim: v.optional(nonEmpty),
      admin_groups: v.optional(names),
      algorithms: v.optional(
        v.pipe(
          v.array(
            v.picklist(
              ASYMMETRIC_JWS_ALGORITHMS,
              "must be an asymmetric JWS algorithm (RS*, PS*, ES*, EdDSA)",
            ),
          ),
          v.minLength(1, "must not be empty"),
        ),
      ),
      clock_skew_s: v.optional(v.pipe(nonNegativeInt, v.maxValue(600, "must be at most 600"))),
      timeout_ms: v.optional(positiveInt),
    }),
  ),
  introspection: v.optional(
    v.strictObject({
      url: v.pipe(nonEmpty, v.url("must be a URL")),
      header: v.optional(headerName),
      scheme: v.optional(v.string("expected a string")),
      user_field: v.optional(nonEmpty),
      name_field: v.optional(nonEmpty),
      groups_field: v.optional(nonEmpty),
      admin_groups: v.optional(names),
      cache_ttl_ms: v.optional(nonNegativeInt),
      timeout_ms: v.optional(positiveInt),
    }),
  ),
});

/** The YAML file's shape. Every key is optional; unknown keys are errors (typos must not pass). */
/** Log levels, least severe first: a level keeps its own lines and those after it. */
export const LOG_LEVELS = ["info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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
      max_event_bytes: v.optional(positiveInt),
      max_response_bytes: v.optional(positiveInt),
    }),
  ),
  auth: v.optional(AuthSchema),
  server: v.optional(
    v.strictObject({
      shutdown_grace_ms: v.optional(positiveInt),
      idle_timeout_s: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(255))),
      max_inflight: v.optional(positiveInt),
    }),
  ),
  policies: v.optional(PoliciesSchema),
  pricing: v.optional(PricingSchema),
  audit: v.optional(
    v.strictObject({
      when_store_down: v.optional(v.picklist(["spool", "reject"], 'must be "spool" or "reject"')),
      spool_path: v.optional(nonEmpty),
      max_spool_bytes: v.optional(positiveInt),
    }),
  ),
  metrics: v.optional(
    v.strictObject({
      enabled: v.optional(v.boolean()),
      listen: v.optional(nonEmpty),
      label_cap: v.optional(positiveInt),
    }),
  ),
  log: v.optional(
    v.strictObject({
      level: v.optional(v.picklist(LOG_LEVELS, 'must be "info", "warn" or "error"')),
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
export type AuthConfig = v.InferOutput<typeof AuthSchema>;
export type ProviderFile = v.InferOutput<typeof ProviderSchema>;
export type McpServerConfig = v.InferOutput<typeof McpServerSchema>;

import * as v from "valibot";
import { nonEmpty, nonNegativeInt, nonNegativeNumber, positiveInt, regex } from "./validators.ts";

/**
 * One level of `policies:` (docs/policies.md). Every field is optional; `null` lifts a limit a less
 * specific level set. Counts are whole numbers, USD may have cents.
 */
const PolicySchema = v.strictObject({
  requests_per_minute: v.optional(v.nullable(nonNegativeInt)),
  tokens_per_minute: v.optional(v.nullable(nonNegativeInt)),
  tokens_per_day: v.optional(v.nullable(nonNegativeInt)),
  usd_per_day: v.optional(v.nullable(nonNegativeNumber)),
  usd_per_month: v.optional(v.nullable(nonNegativeNumber)),
  concurrent_requests: v.optional(v.nullable(positiveInt)),
  models: v.optional(v.array(regex)),
});

export const PoliciesSchema = v.strictObject({
  default: v.optional(PolicySchema),
  groups: v.optional(v.record(nonEmpty, PolicySchema)),
  users: v.optional(v.record(nonEmpty, PolicySchema)),
});

/** `pricing.<model regex>`: USD per million tokens; cache prices default to the input price. */
export const PricingSchema = v.record(
  regex,
  v.strictObject({
    input: nonNegativeNumber,
    output: nonNegativeNumber,
    cache_read: v.optional(nonNegativeNumber),
    cache_write: v.optional(nonNegativeNumber),
  }),
);

export type PoliciesFile = v.InferOutput<typeof PoliciesSchema>;
export type PolicyFile = v.InferOutput<typeof PolicySchema>;
export type PricingFile = v.InferOutput<typeof PricingSchema>;

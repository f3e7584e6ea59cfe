import type { Target } from "./target.ts";
import { startCausewayServe } from "./variants.ts";

/**
 * `causeway-bun` plus a user with limits configured (issue 14): every limit the contract names,
 * far from reached, a model allow-list and a price for every model, so each request is checked,
 * reserved in the ledger (in memory, as on SQLite) and settled on its real usage.
 */
const POLICIES_CONFIG = `policies:
  default:
    requests_per_minute: 100000000
    tokens_per_minute: 1000000000000
    tokens_per_day: 1000000000000
    usd_per_day: 1000000000
    usd_per_month: 1000000000
    concurrent_requests: 100000
    models: [".*"]
pricing:
  ".*": { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 }
`;

export function causewayPoliciesTarget(upstream: string): Promise<Target> {
  return startCausewayServe(upstream, {
    name: "causeway-bun-policies",
    description:
      "`causeway serve` on Bun as causeway-bun, with every policy limit set for the user (never reached): each request checked, reserved and settled",
    config: POLICIES_CONFIG,
  });
}

/**
 * A user with limits configured (issue 14), as the `causeway-bun-policies` variant and the
 * hot-path micro bench (`--policies`) both run it: every limit the contract names, far from
 * reached, a model allow-list and a price for every model, so each request is checked, priced,
 * reserved and settled and none is refused.
 */
export const POLICIES_CONFIG = `policies:
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

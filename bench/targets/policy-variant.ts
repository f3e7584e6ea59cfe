import { POLICIES_CONFIG } from "../lib/policies-config.ts";
import type { Target } from "./target.ts";
import { startCausewayServe } from "./variants.ts";

/** `causeway-bun` plus a user with every limit set, never reached (lib/policies-config.ts). */
export function causewayPoliciesTarget(upstream: string): Promise<Target> {
  return startCausewayServe(upstream, {
    name: "causeway-bun-policies",
    description:
      "`causeway serve` on Bun as causeway-bun, with every policy limit set for the user (never reached): each request checked, reserved and settled",
    config: POLICIES_CONFIG,
  });
}

import type { ProviderConfig } from "../config.ts";
import { REQUEST_ID_HEADER } from "../http/headers.ts";
import type { RouteMatch } from "./provider-profile.ts";

/**
 * Claude Code's first-party telemetry: batches of `{"events": [{"event_type", "event_data"}]}`
 * (session id, device id, environment, model, feature events) posted to
 * `${ANTHROPIC_BASE_URL}/api/event_logging/batch` with the client's credential. Claude Code only
 * checks for a 2xx; anything else makes it keep the batch on disk and retry with back-off.
 */
export const CLAUDE_CODE_TELEMETRY_PATH = "/api/event_logging/batch";

/** `drop`: accepted and discarded by the bridge, so the client neither retries nor spools. */
const DROPPED: RouteMatch = {
  kind: "local",
  respond: (requestId) =>
    new Response("{}", {
      status: 200,
      headers: { "content-type": "application/json", [REQUEST_ID_HEADER]: requestId },
    }),
};
const FORWARDED: RouteMatch = { kind: "passthrough", route: CLAUDE_CODE_TELEMETRY_PATH };

/** The route of a telemetry batch under `provider`, as its `telemetry` setting decides (default drop). */
export function telemetryRoute(provider: ProviderConfig): RouteMatch {
  return provider.telemetry === "forward" ? FORWARDED : DROPPED;
}

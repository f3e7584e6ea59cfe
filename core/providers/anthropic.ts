import { renderAnthropicError } from "../apis/anthropic-messages/errors.ts";
import { anthropicMessages } from "../apis/anthropic-messages/index.ts";
import { isModelsPath, modelsRoute, type ProviderProfile, type RouteMatch } from "./provider-profile.ts";
import { CLAUDE_CODE_TELEMETRY_PATH, telemetryRoute } from "./telemetry.ts";

export const anthropicProfile: ProviderProfile = {
  match(method, path, provider) {
    if (method === "POST" && path === "/v1/messages") return { kind: "intercept", api: anthropicMessages };
    if (method === "POST" && path === "/v1/messages/count_tokens") return COUNT_TOKENS;
    if (method === "GET" && isModelsPath(path)) return modelsRoute(path);
    if (method === "POST" && path === CLAUDE_CODE_TELEMETRY_PATH) return telemetryRoute(provider);
    return null;
  },
  applyKey(headers, apiKey) {
    headers.set("x-api-key", apiKey);
  },
  renderError: renderAnthropicError,
};

const COUNT_TOKENS: RouteMatch = { kind: "passthrough", route: "/v1/messages/count_tokens" };

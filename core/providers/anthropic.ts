import { renderAnthropicError } from "../apis/anthropic-messages/errors.ts";
import { anthropicMessages } from "../apis/anthropic-messages/index.ts";
import { isModelsPath, type ProviderProfile } from "./provider-profile.ts";

export const anthropicProfile: ProviderProfile = {
  match(method, path) {
    if (method === "POST" && path === "/v1/messages") return { kind: "intercept", api: anthropicMessages };
    if (method === "POST" && path === "/v1/messages/count_tokens") return { kind: "passthrough" };
    if (method === "GET" && isModelsPath(path)) return { kind: "passthrough" };
    return null;
  },
  applyKey(headers, apiKey) {
    headers.set("x-api-key", apiKey);
  },
  renderError: renderAnthropicError,
};

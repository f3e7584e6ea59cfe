import { renderOpenAIError } from "../apis/openai-shared/errors.ts";
import { isModelsPath, type ProviderProfile, type RouteMatch } from "./provider-profile.ts";

const RESPONSE_ITEM = /^\/v1\/responses\/[^/]+(\/.*)?$/;

export const openaiProfile: ProviderProfile = {
  match(method, path): RouteMatch | null {
    if (method === "GET" && isModelsPath(path)) return { kind: "passthrough" };
    if ((method === "GET" || method === "DELETE") && RESPONSE_ITEM.test(path)) return { kind: "passthrough" };
    return null;
  },
  applyKey(headers, apiKey) {
    headers.set("authorization", `Bearer ${apiKey}`);
  },
  renderError: renderOpenAIError,
};

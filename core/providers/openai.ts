import { openaiChat } from "../apis/openai-chat/index.ts";
import { openaiResponses } from "../apis/openai-responses/index.ts";
import { renderOpenAIError } from "../apis/openai-shared/errors.ts";
import { isModelsPath, type ProviderProfile, type RouteMatch } from "./provider-profile.ts";

/** A stored response and its sub-resources: `/v1/responses/{id}`, `/v1/responses/{id}/input_items`. */
const RESPONSE_ITEM = /^\/v1\/responses\/[^/]+(\/.*)?$/;
/** Cancelling a `background: true` response. */
const RESPONSE_CANCEL = /^\/v1\/responses\/[^/]+\/cancel$/;

export const openaiProfile: ProviderProfile = {
  match(method, path): RouteMatch | null {
    if (method === "POST" && path === "/v1/chat/completions") return { kind: "intercept", api: openaiChat };
    if (method === "POST" && path === "/v1/responses") return { kind: "intercept", api: openaiResponses };
    if (method === "GET" && isModelsPath(path)) return { kind: "passthrough" };
    if ((method === "GET" || method === "DELETE") && RESPONSE_ITEM.test(path)) return { kind: "passthrough" };
    if (method === "POST" && RESPONSE_CANCEL.test(path)) return { kind: "passthrough" };
    return null;
  },
  applyKey(headers, apiKey) {
    headers.set("authorization", `Bearer ${apiKey}`);
  },
  renderError: renderOpenAIError,
};

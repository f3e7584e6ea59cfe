import { openaiChat } from "../apis/openai-chat/index.ts";
import { openaiResponsesCompact } from "../apis/openai-responses/compact.ts";
import { openaiResponses } from "../apis/openai-responses/index.ts";
import { openaiResponsesInputTokens } from "../apis/openai-responses/input-tokens.ts";
import { renderOpenAIError } from "../apis/openai-shared/errors.ts";
import { isModelsPath, modelsRoute, type ProviderProfile, type RouteMatch } from "./provider-profile.ts";

/** A stored response and its sub-resources: `/v1/responses/{id}`, `/v1/responses/{id}/input_items`. */
const RESPONSE_ITEM = /^\/v1\/responses\/([^/]+)(\/.*)?$/;
/** Cancelling a `background: true` response. */
const RESPONSE_CANCEL = /^\/v1\/responses\/([^/]+)\/cancel$/;
/** Path segments after `/v1/responses/` that name an operation, never a stored response's id. */
const RESPONSE_OPERATIONS = new Set(["compact", "input_tokens"]);

/** The Conversations API: each path shape with the methods OpenAI serves on it, and its template. */
const CONVERSATION_ROUTES: readonly (readonly [RegExp, ReadonlySet<string>, RouteMatch])[] = [
  [/^\/v1\/conversations$/, new Set(["POST"]), passthrough("/v1/conversations")],
  [/^\/v1\/conversations\/[^/]+$/, new Set(["GET", "POST", "DELETE"]), passthrough("/v1/conversations/{id}")],
  [
    /^\/v1\/conversations\/[^/]+\/items$/,
    new Set(["GET", "POST"]),
    passthrough("/v1/conversations/{id}/items"),
  ],
  [
    /^\/v1\/conversations\/[^/]+\/items\/[^/]+$/,
    new Set(["GET", "DELETE"]),
    passthrough("/v1/conversations/{id}/items/{item_id}"),
  ],
];

const RESPONSE = passthrough("/v1/responses/{id}");
const RESPONSE_INPUT_ITEMS = passthrough("/v1/responses/{id}/input_items");
/** Any other sub-resource of a stored response, under one name: the label stays bounded. */
const RESPONSE_OTHER = passthrough("/v1/responses/{id}/{path}");
const RESPONSE_CANCEL_ROUTE = passthrough("/v1/responses/{id}/cancel");

export const openaiProfile: ProviderProfile = {
  match(method, path): RouteMatch | null {
    if (method === "POST") {
      if (path === "/v1/chat/completions") return { kind: "intercept", api: openaiChat };
      if (path === "/v1/responses") return { kind: "intercept", api: openaiResponses };
      // Before the stored-response patterns: these spend (or count) tokens and are audited.
      if (path === "/v1/responses/compact") return { kind: "intercept", api: openaiResponsesCompact };
      if (path === "/v1/responses/input_tokens")
        return { kind: "intercept", api: openaiResponsesInputTokens };
    }
    if (method === "GET" && isModelsPath(path)) return modelsRoute(path);
    if (method === "GET" || method === "DELETE") {
      const item = storedResponse(RESPONSE_ITEM, path);
      if (item)
        return !item[2] ? RESPONSE : item[2] === "/input_items" ? RESPONSE_INPUT_ITEMS : RESPONSE_OTHER;
    }
    if (method === "POST" && storedResponse(RESPONSE_CANCEL, path)) return RESPONSE_CANCEL_ROUTE;
    return conversationRoute(method, path);
  },
  applyKey(headers, apiKey) {
    headers.set("authorization", `Bearer ${apiKey}`);
  },
  renderError: renderOpenAIError,
};

function passthrough(route: string): RouteMatch {
  return { kind: "passthrough", route };
}

/** The pattern's match when it names a stored response (not an operation such as `compact`). */
function storedResponse(pattern: RegExp, path: string): RegExpExecArray | null {
  const match = pattern.exec(path);
  return match?.[1] !== undefined && !RESPONSE_OPERATIONS.has(match[1]) ? match : null;
}

function conversationRoute(method: string, path: string): RouteMatch | null {
  if (!path.startsWith("/v1/conversations")) return null;
  for (const [pattern, methods, route] of CONVERSATION_ROUTES)
    if (methods.has(method) && pattern.test(path)) return route;
  return null;
}

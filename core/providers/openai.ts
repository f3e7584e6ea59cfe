import { openaiChat } from "../apis/openai-chat/index.ts";
import { openaiResponsesCompact } from "../apis/openai-responses/compact.ts";
import { openaiResponses } from "../apis/openai-responses/index.ts";
import { openaiResponsesInputTokens } from "../apis/openai-responses/input-tokens.ts";
import { renderOpenAIError } from "../apis/openai-shared/errors.ts";
import { isModelsPath, type ProviderProfile, type RouteMatch } from "./provider-profile.ts";

/** A stored response and its sub-resources: `/v1/responses/{id}`, `/v1/responses/{id}/input_items`. */
const RESPONSE_ITEM = /^\/v1\/responses\/([^/]+)(\/.*)?$/;
/** Cancelling a `background: true` response. */
const RESPONSE_CANCEL = /^\/v1\/responses\/([^/]+)\/cancel$/;
/** Path segments after `/v1/responses/` that name an operation, never a stored response's id. */
const RESPONSE_OPERATIONS = new Set(["compact", "input_tokens"]);

/** The Conversations API: each path shape with the methods OpenAI serves on it. */
const CONVERSATION_ROUTES: readonly (readonly [RegExp, ReadonlySet<string>])[] = [
  [/^\/v1\/conversations$/, new Set(["POST"])],
  [/^\/v1\/conversations\/[^/]+$/, new Set(["GET", "POST", "DELETE"])],
  [/^\/v1\/conversations\/[^/]+\/items$/, new Set(["GET", "POST"])],
  [/^\/v1\/conversations\/[^/]+\/items\/[^/]+$/, new Set(["GET", "DELETE"])],
];

const PASSTHROUGH: RouteMatch = { kind: "passthrough" };

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
    if (method === "GET" && isModelsPath(path)) return PASSTHROUGH;
    if ((method === "GET" || method === "DELETE") && isStoredResponse(RESPONSE_ITEM, path))
      return PASSTHROUGH;
    if (method === "POST" && isStoredResponse(RESPONSE_CANCEL, path)) return PASSTHROUGH;
    if (isConversationRoute(method, path)) return PASSTHROUGH;
    return null;
  },
  applyKey(headers, apiKey) {
    headers.set("authorization", `Bearer ${apiKey}`);
  },
  renderError: renderOpenAIError,
};

function isStoredResponse(pattern: RegExp, path: string): boolean {
  const id = pattern.exec(path)?.[1];
  return id !== undefined && !RESPONSE_OPERATIONS.has(id);
}

function isConversationRoute(method: string, path: string): boolean {
  if (!path.startsWith("/v1/conversations")) return false;
  return CONVERSATION_ROUTES.some(([pattern, methods]) => methods.has(method) && pattern.test(path));
}

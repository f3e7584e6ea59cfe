import { encodeSseComment } from "../../sse/encoder.ts";
import type { ApiDefinition } from "../api-definition.ts";
import { detectOpenAIClient } from "../openai-shared/client.ts";
import { renderOpenAIError } from "../openai-shared/errors.ts";
import { responsesStreamError } from "./errors.ts";
import { inspectResponsesRequest } from "./request.ts";
import { responsesBlockingFacts } from "./response.ts";
import { ResponsesObserver } from "./stream.ts";
import { openaiResponsesToolLoop } from "./tool-loop.ts";

/**
 * `POST /v1/responses`: the body is forwarded exactly as the client sent it (reasoning items with
 * `encrypted_content`, `previous_response_id`, `store`, custom and namespace tools...), and the
 * stream is relayed byte for byte: Responses always reports usage, so the bridge owns nothing.
 */
export const openaiResponses: ApiDefinition = {
  name: "openai.responses",
  inspect: inspectResponsesRequest,
  prepare: () => null,
  observe: () => new ResponsesObserver(),
  blockingFacts: responsesBlockingFacts,
  renderError: renderOpenAIError,
  streamError: responsesStreamError,
  // Responses has no ping event; an SSE comment is ignored by the SDKs and by Codex.
  keepAlive: encodeSseComment("keep-alive"),
  detectClient: detectOpenAIClient,
  toolLoop: openaiResponsesToolLoop,
};

import { encodeSse } from "../../sse/encoder.ts";
import type { ApiDefinition } from "../api-definition.ts";
import { anthropicStreamError, renderAnthropicError } from "./errors.ts";
import { detectAnthropicClient, inspectMessagesRequest } from "./request.ts";
import { messagesBlockingFacts } from "./response.ts";
import { MessagesObserver } from "./stream.ts";
import { anthropicToolLoop } from "./tool-loop.ts";

/** `POST /v1/messages`: the body is forwarded exactly as the client sent it. */
export const anthropicMessages: ApiDefinition = {
  name: "anthropic.messages",
  inspect: inspectMessagesRequest,
  prepare: () => null,
  observe: () => new MessagesObserver(),
  blockingFacts: messagesBlockingFacts,
  renderError: renderAnthropicError,
  streamError: anthropicStreamError,
  keepAlive: encodeSse({ event: "ping", data: '{"type": "ping"}' }),
  detectClient: detectAnthropicClient,
  toolLoop: anthropicToolLoop,
};

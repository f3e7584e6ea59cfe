import type { ApiDefinition } from "../api-definition.ts";
import { detectOpenAIClient } from "../openai-shared/client.ts";
import { renderOpenAIError } from "../openai-shared/errors.ts";
import { chatKeepAlive, chatStreamError } from "./errors.ts";
import { prepareChatRequest } from "./include-usage.ts";
import { inspectChatRequest } from "./request.ts";
import { chatBlockingFacts } from "./response.ts";
import { ChatObserver } from "./stream.ts";
import { openaiChatToolLoop } from "./tool-loop.ts";

/**
 * `POST /v1/chat/completions`: forwarded as sent, except that a streaming request always asks
 * upstream for usage (and the client's stream is then cleaned of it, see include-usage.ts).
 */
export const openaiChat: ApiDefinition = {
  name: "openai.chat",
  inspect: inspectChatRequest,
  prepare: prepareChatRequest,
  observe: () => new ChatObserver(),
  blockingFacts: chatBlockingFacts,
  renderError: renderOpenAIError,
  streamError: chatStreamError,
  keepAlive: chatKeepAlive,
  detectClient: detectOpenAIClient,
  toolLoop: openaiChatToolLoop,
};

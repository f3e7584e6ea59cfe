import type { ResponseFact } from "../../audit/response-fact.ts";
import type { JsonObject } from "../../http/body.ts";
import type { ApiName } from "../../ports/recorder.ts";
import { encodeSseComment } from "../../sse/encoder.ts";
import type { SseEvent } from "../../sse/event.ts";
import type { Transducer } from "../../transducer/transducer.ts";
import type { ApiDefinition, RequestFacts } from "../api-definition.ts";
import { detectOpenAIClient } from "../openai-shared/client.ts";
import { renderOpenAIError } from "../openai-shared/errors.ts";
import { responsesStreamError } from "./errors.ts";

/**
 * An event stream from an endpoint that does not stream yields no audit facts: the interception
 * then ends `failed` (no end marker), which is what an answer the bridge cannot account for is.
 */
class NoStreamFacts implements Transducer<SseEvent, ResponseFact> {
  step(): readonly ResponseFact[] {
    return [];
  }
  flush(): readonly ResponseFact[] {
    return [];
  }
}

/**
 * The ApiDefinition of a Responses sub-endpoint that answers one JSON object and never streams
 * (`/responses/compact`, `/responses/input_tokens`): the body is forwarded as sent, errors are
 * OpenAI's, the client is detected as for `/responses`, and tools are never injected (no tool loop:
 * neither endpoint generates tool calls).
 */
export function unaryResponsesApi(spec: {
  readonly name: ApiName;
  readonly inspect: (body: JsonObject) => RequestFacts | string;
  readonly blockingFacts: (body: unknown) => ResponseFact[];
}): ApiDefinition {
  return {
    name: spec.name,
    inspect: spec.inspect,
    prepare: () => null,
    observe: () => new NoStreamFacts(),
    blockingFacts: spec.blockingFacts,
    renderError: renderOpenAIError,
    streamError: responsesStreamError,
    keepAlive: encodeSseComment("keep-alive"),
    detectClient: detectOpenAIClient,
  };
}

/** `input` as the Responses family accepts it: absent, null, a string or an array of items. */
export function isResponsesInput(input: unknown): boolean {
  return input === undefined || input === null || typeof input === "string" || Array.isArray(input);
}

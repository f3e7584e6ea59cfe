import type { ResponseFact } from "../audit/response-fact.ts";
import type { ErrorRenderer } from "../errors.ts";
import type { JsonObject } from "../http/body.ts";
import type { ApiName } from "../ports/recorder.ts";
import type { SseEvent } from "../sse/event.ts";
import type { ToolLoopSupport } from "../tools/contract.ts";
import type { Transducer } from "../transducer/transducer.ts";

/** What the bridge reads from a client request before forwarding it. */
export interface RequestFacts {
  readonly model: string;
  readonly stream: boolean;
  /** The last user turn's text, for the audit. */
  readonly prompts: readonly string[];
}

/** A request body the bridge changed, and how the response stream must be adjusted to match. */
export interface PreparedRequest {
  readonly body: string;
  /** Set when the client must not see parts of the stream the bridge asked for. */
  readonly rewrite: Transducer<SseEvent, string> | null;
}

export interface ClientInfo {
  readonly client: string;
  readonly sessionId: string | null;
}

/**
 * The contract every intercepted API folder implements (`core/apis/<api>/index.ts`). Generic code
 * never checks provider names: everything provider-specific is reached through this.
 */
export interface ApiDefinition {
  readonly name: ApiName;
  /** Reads the fields the bridge needs; a string is a client error message (400). */
  inspect(body: JsonObject): RequestFacts | string;
  /** Edits the bridge owns on the raw body (e.g. always asking for usage); null: forward as sent. */
  prepare(raw: string, body: JsonObject, facts: RequestFacts): PreparedRequest | null;
  /** A fresh observer of one streamed response, for the audit; never changes what the client gets. */
  observe(): Transducer<SseEvent, ResponseFact>;
  /** Audit facts from a blocking JSON response. */
  blockingFacts(body: unknown): ResponseFact[];
  readonly renderError: ErrorRenderer;
  /** An in-band error event for a stream that broke after its first byte. */
  streamError(message: string): string;
  /** Bytes sent to keep a silent stream alive. */
  readonly keepAlive: string;
  detectClient(headers: Headers): ClientInfo;
  /** Injected MCP tools and the server-side tool loop (core/tools/); absent: tools are never injected. */
  readonly toolLoop?: ToolLoopSupport;
}

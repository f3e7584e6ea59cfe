import type { AuthMethod } from "./auth.ts";

/** The intercepted APIs, as named in audit records. */
export type ApiName =
  | "anthropic.messages"
  | "openai.chat"
  | "openai.responses"
  | "openai.responses.compact"
  | "openai.responses.input_tokens";

export type InterceptionStatus =
  | "completed"
  | "upstream_error"
  | "client_cancelled"
  | "timeout"
  | "rejected"
  | "failed";

/** Token counts in Causeway's convention (docs/tokens.md): input excludes cache. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

export interface InterceptionStart {
  readonly kind: "interception-start";
  readonly id: string;
  readonly userId: string;
  readonly userName: string;
  /** How the caller was authenticated, and with which Causeway key (null for other methods). */
  readonly authMethod: AuthMethod | null;
  readonly keyId: string | null;
  readonly provider: string;
  readonly api: ApiName;
  readonly model: string;
  readonly streaming: boolean;
  readonly client: string;
  readonly sessionId: string | null;
  readonly userAgent: string | null;
  readonly startedAt: number;
}

export interface TokenUsageEntry {
  readonly kind: "token-usage";
  readonly interceptionId: string;
  /** 0 for the first upstream call; tool loops add turns. */
  readonly turn: number;
  readonly tokens: TokenUsage;
}

export interface PromptEntry {
  readonly kind: "prompt";
  readonly interceptionId: string;
  /** Order within the interception (shared by prompts, tools and thoughts); makes writes idempotent. */
  readonly seq: number;
  readonly text: string;
}

export interface ToolUsageEntry {
  readonly kind: "tool-usage";
  readonly interceptionId: string;
  readonly seq: number;
  readonly name: string;
  readonly callId: string;
  readonly injected: boolean;
  readonly server: string | null;
  /** The call's arguments as JSON text, as the model sent them. */
  readonly args: string;
  readonly error: string | null;
  readonly durationMs: number | null;
}

export interface ThoughtEntry {
  readonly kind: "thought";
  readonly interceptionId: string;
  readonly seq: number;
  readonly text: string;
}

export interface InterceptionEnd {
  readonly kind: "interception-end";
  readonly interceptionId: string;
  readonly status: InterceptionStatus;
  readonly httpStatus: number;
  readonly endedAt: number;
  /** Why it ended this way, for operators; never contains secrets. */
  readonly detail: string | null;
  /** Requests sent to the upstream, retries and tool-loop turns included (0: refused before). */
  readonly attempts: number;
  /** Which enterprise key of the instance's pool the last attempt used (by index, never the key). */
  readonly keyIndex: number | null;
}

export type AuditEntry =
  | InterceptionStart
  | TokenUsageEntry
  | PromptEntry
  | ToolUsageEntry
  | ThoughtEntry
  | InterceptionEnd;

/**
 * Receives audit entries. `record` must not block or throw into the request path: implementations
 * queue and write in the background. `flush` resolves when everything recorded so far is stored
 * (or durably spooled). `accepting`, if present, is false while new records could not be kept
 * (store down in reject mode, spool full): the bridge then refuses new intercepted requests.
 */
export interface Recorder {
  record(entry: AuditEntry): void;
  flush(): Promise<void>;
  accepting?(): boolean;
}

export class MemoryRecorder implements Recorder {
  readonly entries: AuditEntry[] = [];
  record(entry: AuditEntry): void {
    this.entries.push(entry);
  }
  async flush(): Promise<void> {}
  of(interceptionId: string): AuditEntry[] {
    return this.entries.filter(
      (e) => (e.kind === "interception-start" ? e.id : e.interceptionId) === interceptionId,
    );
  }
}

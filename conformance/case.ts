/** What one upstream call answers: status, headers and the body bytes to re-chunk. */
export interface ReplayResponse {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
}

export type Mode = "streaming" | "non-streaming";

/**
 * A tool the bridge injects for the replay (fixture section `tools`, a JSON array of these):
 * needed by fixtures with `<mode>/tool-call` sections, where the bridge runs the tool between calls.
 */
export interface FixtureTool {
  readonly server: string;
  readonly name: string;
  readonly description?: string;
  readonly inputSchema?: Readonly<Record<string, unknown>>;
  /** What the tool returns, MCP style. */
  readonly result: {
    readonly content: readonly { readonly type: "text"; readonly text: string }[];
    readonly isError?: boolean;
  };
}

/** Checks a replay must pass beyond byte fidelity; all optional. */
export interface ModeExpectations {
  /** `expect/records`: the audit summary keys present must match exactly. */
  readonly records?: Readonly<Record<string, unknown>>;
  /** The audit must end `completed` (or must not, when false). */
  readonly completed?: boolean;
  /** The audit must hold at least one non-zero token count. */
  readonly nonZeroTokens?: boolean;
  /**
   * The upstream's stream lacks its end marker: the client gets `expectClient` and then exactly one
   * in-band error event the bridge adds (its bytes are the bridge's, so only its shape is checked).
   */
  readonly truncated?: boolean;
}

/** One replay of a case: the client body for this mode and the upstream's answers, in call order. */
export interface ModeCase {
  readonly mode: Mode;
  readonly requestBody: string;
  readonly responses: readonly ReplayResponse[];
  /** Injected tools for this replay; absent: the bridge runs with no tool provider. */
  readonly tools?: readonly FixtureTool[];
  readonly expectStatus: number;
  /** Exactly what the client must receive. */
  readonly expectClient: Uint8Array;
  readonly expect: ModeExpectations;
}

/** A fixture or corpus entry, ready to run: `api` is the fixture folder name (`anthropic-messages`). */
export interface ConformanceCase {
  readonly id: string;
  readonly api: string;
  readonly modes: readonly ModeCase[];
}

const encoder = new TextEncoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Gives the client body the mode's `stream` flag. The raw text is kept when it already agrees,
 * so byte-level pass-through can be checked; otherwise the JSON is re-serialized (key order kept).
 */
export function withStreamFlag(requestText: string, mode: Mode): string {
  const json = JSON.parse(requestText) as Record<string, unknown>;
  const want = mode === "streaming";
  if ((json.stream === true) === want) return requestText;
  if (!want && !("stream" in json)) return requestText;
  json.stream = want;
  return JSON.stringify(json);
}

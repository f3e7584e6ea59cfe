import type { Principal } from "./auth.ts";

/** A tool offered by a configured tool server (MCP), before injection renames it. */
export interface ToolDefinition {
  readonly server: string;
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

export type ToolResultContent =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "image"; readonly data: string; readonly mimeType: string }
  | { readonly type: "other"; readonly description: string };

export interface ToolResult {
  readonly content: readonly ToolResultContent[];
  readonly isError: boolean;
}

/** Bounds of the tool loop (docs/mcp.md); a provider may override any of them. */
export interface ToolLoopLimits {
  /** Tool rounds per client request; the answer then ends with an explanation. */
  readonly maxRounds: number;
  /** Per tool call; the call is then cancelled (MCP `notifications/cancelled`). */
  readonly callTimeoutMs: number;
  /** A tool result larger than this is truncated before it goes back to the model. */
  readonly maxResultBytes: number;
}

export const DEFAULT_TOOL_LOOP_LIMITS: ToolLoopLimits = {
  maxRounds: 10,
  callTimeoutMs: 60_000,
  maxResultBytes: 1024 * 1024,
};

/**
 * Lists and runs tools on the user's behalf. `listTools` returns a stable order so identical
 * requests produce identical upstream bodies. `callTool` honours the signal (timeouts, disconnects).
 */
export interface ToolProvider {
  readonly limits?: Partial<ToolLoopLimits>;
  listTools(principal: Principal): Promise<readonly ToolDefinition[]>;
  callTool(
    principal: Principal,
    server: string,
    name: string,
    args: unknown,
    signal: AbortSignal,
  ): Promise<ToolResult>;
}

export class MemoryToolProvider implements ToolProvider {
  limits: Partial<ToolLoopLimits> = {};
  readonly tools: ToolDefinition[];
  readonly handler: (server: string, name: string, args: unknown, signal: AbortSignal) => Promise<ToolResult>;
  constructor(tools: ToolDefinition[], handler: MemoryToolProvider["handler"]) {
    this.tools = tools;
    this.handler = handler;
  }
  async listTools(): Promise<readonly ToolDefinition[]> {
    return this.tools;
  }
  callTool(
    _p: Principal,
    server: string,
    name: string,
    args: unknown,
    signal: AbortSignal,
  ): Promise<ToolResult> {
    return this.handler(server, name, args, signal);
  }
}

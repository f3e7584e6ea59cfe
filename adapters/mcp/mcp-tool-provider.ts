import type { Principal } from "../../core/ports/auth.ts";
import type { Logger } from "../../core/ports/logger.ts";
import type {
  ToolDefinition,
  ToolLoopLimits,
  ToolProvider,
  ToolResult,
} from "../../core/ports/tool-provider.ts";
import type { McpServerConfig } from "../config/schema.ts";
import { McpConnection } from "./connection.ts";
import { type HeaderTemplate, resolveEnvHeaders, toolAllowed, userHeaders } from "./headers.ts";

export interface McpSettings {
  readonly servers: readonly McpServerConfig[];
  readonly toolTimeoutMs: number;
  readonly maxRounds: number;
  readonly maxResultBytes: number;
}

interface Server {
  readonly config: McpServerConfig;
  readonly template: HeaderTemplate;
  readonly allow: readonly RegExp[];
  readonly deny: readonly RegExp[];
}

/** How long a request waits for a per-user session that is still connecting. */
const USER_CONNECT_WAIT_MS = 5_000;
const REFRESH_MS = 5 * 60_000;
/** Hard cap on one call even while progress notifications keep resetting its timeout (MCP-11). */
const MAX_TOTAL_CALL_MS = 300_000;

/**
 * The ToolProvider over MCP (Streamable HTTP). Servers whose headers do not depend on the user
 * share one session; the others get one session per user, keyed by user id, so cached tool
 * lists and calls never cross users (MCP-03). Tools outside allow/deny are never listed and
 * never called (MCP-02). Order is stable: servers as configured, tools by name.
 */
export class McpToolProvider implements ToolProvider {
  readonly limits: Partial<ToolLoopLimits>;
  readonly #servers: Server[] = [];
  readonly #connections = new Map<string, McpConnection>();
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #hardCapMs: number;

  constructor(settings: McpSettings, env: Record<string, string | undefined>, logger: Logger) {
    this.#logger = logger;
    this.#timeoutMs = settings.toolTimeoutMs;
    this.#hardCapMs = Math.max(settings.toolTimeoutMs, MAX_TOTAL_CALL_MS);
    // The MCP client enforces tool_timeout_ms itself, restarting it on every progress
    // notification; the core's timer is the hard cap, so a tool that reports progress may run on.
    this.limits = {
      maxRounds: settings.maxRounds,
      callTimeoutMs: this.#hardCapMs,
      maxResultBytes: settings.maxResultBytes,
    };
    for (const config of settings.servers) {
      try {
        const template = resolveEnvHeaders(config.headers ?? {}, env);
        this.#servers.push({
          config,
          template,
          allow: (config.allow ?? []).map((source) => new RegExp(source)),
          deny: (config.deny ?? []).map((source) => new RegExp(source)),
        });
      } catch (error) {
        logger.error("mcp server disabled", {
          server: config.name,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  /** Connects every shared session concurrently; waits at most `waitMs` (never fails). */
  async start(waitMs: number): Promise<void> {
    const shared = this.#servers
      .filter((s) => !s.template.perUser)
      .map((s) => this.#connection(s, null).connect());
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(shared),
      new Promise((resolve) => (timer = setTimeout(resolve, waitMs))),
    ]);
    clearTimeout(timer);
  }

  async listTools(principal: Principal): Promise<readonly ToolDefinition[]> {
    const out: ToolDefinition[] = [];
    for (const server of this.#servers) {
      const connection = await this.#ready(server, principal);
      for (const tool of connection.tools) {
        if (!toolAllowed(tool.name, server.allow, server.deny)) continue;
        out.push({
          server: server.config.name,
          name: tool.name,
          description: tool.description ?? tool.title ?? "",
          inputSchema: tool.inputSchema as Record<string, unknown>,
        });
      }
    }
    return out;
  }

  async callTool(
    principal: Principal,
    serverName: string,
    name: string,
    args: unknown,
    signal: AbortSignal,
  ): Promise<ToolResult> {
    const server = this.#servers.find((s) => s.config.name === serverName);
    if (!server || !toolAllowed(name, server.allow, server.deny))
      throw new Error(`tool ${serverName}/${name} is not offered`);
    const connection = await this.#ready(server, principal);
    return connection.call(name, (args ?? {}) as Record<string, unknown>, signal, this.#timeoutMs);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#connections.values()].map((c) => c.close()));
    this.#connections.clear();
  }

  /** The principal's session for this server; a per-user one is connected on first use. */
  async #ready(server: Server, principal: Principal): Promise<McpConnection> {
    const connection = this.#connection(server, server.template.perUser ? principal : null);
    // Only a user's first request waits for the session; later ones never wait on a failing server.
    if (!connection.ready && server.template.perUser && !connection.attempted) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        connection.connect(),
        new Promise((resolve) => (timer = setTimeout(resolve, USER_CONNECT_WAIT_MS))),
      ]);
      clearTimeout(timer);
    }
    return connection;
  }

  #connection(server: Server, principal: Principal | null): McpConnection {
    const key = principal ? `${server.config.name}\u0000${principal.userId}` : server.config.name;
    let connection = this.#connections.get(key);
    if (!connection) {
      connection = new McpConnection({
        server: server.config.name,
        url: server.config.url,
        headers: principal ? userHeaders(server.template, principal) : server.template.headers,
        logger: this.#logger,
        keep: (name) => toolAllowed(name, server.allow, server.deny),
        refreshMs: REFRESH_MS,
        maxTotalMs: this.#hardCapMs,
      });
      this.#connections.set(key, connection);
    }
    return connection;
  }
}

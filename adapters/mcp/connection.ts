import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError, type Tool, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../../core/ports/logger.ts";
import type { ToolResult } from "../../core/ports/tool-provider.ts";
import { mapToolResult } from "./content.ts";

export interface ConnectionOptions {
  readonly server: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** Tools kept from the server's list (allow/deny). */
  readonly keep: (name: string) => boolean;
  /** The tool list is re-read this often even without `tools/list_changed`. */
  readonly refreshMs: number;
  /** Hard cap on one call even while progress keeps arriving (MCP-11). */
  readonly maxTotalMs: number;
}

const BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000];

/**
 * One MCP client session (Streamable HTTP) with one header set. Connects in the background and
 * retries with backoff forever (a failing server is never fatal), caches the tool list in a
 * stable order and refreshes it on `notifications/tools/list_changed` and periodically.
 */
export class McpConnection {
  readonly #options: ConnectionOptions;
  #client: Client | null = null;
  #tools: readonly Tool[] = [];
  #connecting: Promise<void> | null = null;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #refresh: ReturnType<typeof setInterval> | null = null;
  #closed = false;

  constructor(options: ConnectionOptions) {
    this.#options = options;
  }

  get tools(): readonly Tool[] {
    return this.#tools;
  }

  get ready(): boolean {
    return this.#client !== null;
  }

  /** True once a first connection attempt has run (whatever its outcome). */
  get attempted(): boolean {
    return this.#attempt > 0 || this.#client !== null;
  }

  /**
   * Starts connecting unless connected, closed or waiting for a scheduled retry (backoff is never
   * bypassed); resolves when connected or when this attempt failed.
   */
  connect(): Promise<void> {
    if (this.#client || this.#closed || this.#retry) return Promise.resolve();
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  async #open(): Promise<void> {
    const { server, url, headers, logger } = this.#options;
    const client = new Client({ name: "causeway", version: "0.1.0" }, { capabilities: {} });
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void this.refresh());
    client.onerror = () => {};
    try {
      const transport = new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { ...headers } },
      });
      await client.connect(transport);
      this.#client = client;
      await this.refresh();
      if (this.#closed) return void (await this.close());
      this.#attempt = 0;
      client.onclose = () => this.#lost("the session closed");
      this.#refresh ??= setInterval(() => void this.refresh(), this.#options.refreshMs);
      this.#refresh.unref?.();
      logger.info("mcp server connected", { server, tools: this.#tools.length });
    } catch (error) {
      this.#client = null;
      await client.close().catch(() => {});
      this.#scheduleRetry(error);
    }
  }

  #scheduleRetry(error: unknown): void {
    if (this.#closed || this.#retry) return;
    const delay = BACKOFF_MS[Math.min(this.#attempt++, BACKOFF_MS.length - 1)]!;
    this.#options.logger.warn("mcp server unavailable; retrying", {
      server: this.#options.server,
      retry_in_ms: delay,
      error: error instanceof Error ? error.message.slice(0, 300) : String(error),
    });
    this.#retry = setTimeout(() => {
      this.#retry = null;
      void this.connect();
    }, delay);
    this.#retry.unref?.();
  }

  #lost(reason: string): void {
    if (this.#closed || !this.#client) return;
    this.#client = null;
    this.#tools = [];
    this.#scheduleRetry(new Error(reason));
  }

  /** Re-reads the tool list (all pages), keeping allowed tools sorted by name. */
  async refresh(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    try {
      const all: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {});
        all.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      this.#tools = all
        .filter((tool) => this.#options.keep(tool.name))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      this.#options.logger.warn("mcp tool listing failed", {
        server: this.#options.server,
        error: String(error).slice(0, 300),
      });
    }
  }

  /**
   * Calls a tool. Aborting `signal` (timeout, client disconnect) makes the SDK send
   * `notifications/cancelled` to the server; the SDK's own timeout is a backstop.
   */
  async call(
    name: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<ToolResult> {
    const client = this.#client;
    if (!client) throw new Error(`MCP server ${this.#options.server} is not connected`);
    try {
      const result = await client.callTool({ name, arguments: args }, undefined, {
        signal,
        timeout: timeoutMs,
        resetTimeoutOnProgress: true,
        maxTotalTimeout: this.#options.maxTotalMs,
        onprogress: () => {},
      });
      return mapToolResult(result as { content?: unknown; structuredContent?: unknown; isError?: unknown });
    } catch (error) {
      // Protocol errors keep the session; anything else (HTTP failure, expired session) reconnects.
      if (!(error instanceof McpError) && !signal.aborted) this.#lost("the call failed at the transport");
      throw error;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#refresh) clearInterval(this.#refresh);
    const client = this.#client;
    this.#client = null;
    if (client) {
      client.onclose = () => {};
      await client.close().catch(() => {});
    }
  }
}

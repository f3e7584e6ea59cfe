import type { Logger } from "../../core/ports/logger.ts";
import { type McpSettings, McpToolProvider } from "./mcp-tool-provider.ts";

/** How long startup waits for MCP servers before listening anyway (they keep retrying). */
const STARTUP_WAIT_MS = 5_000;

/** The MCP ToolProvider for `causeway serve`, or undefined when no server is configured. */
export async function startMcpTools(
  settings: McpSettings,
  env: Record<string, string | undefined>,
  logger: Logger,
): Promise<McpToolProvider | undefined> {
  if (settings.servers.length === 0) return undefined;
  const provider = new McpToolProvider(settings, env, logger);
  await provider.start(STARTUP_WAIT_MS);
  return provider;
}

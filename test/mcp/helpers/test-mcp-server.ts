import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";

export const TINY_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

const obj = (properties: Record<string, object> = {}) => ({ type: "object" as const, properties });

/**
 * Our own MCP server (Streamable HTTP, stateful sessions, 127.0.0.1) for the cases the
 * reference server cannot script: failures, slowness and cancellation, large and non-text
 * results, header capture, and tool list changes.
 */
export async function startTestMcpServer(port = 0) {
  const seenHeaders: IncomingHttpHeaders[] = [];
  const cancelled: string[] = [];
  const calls: { tool: string; args: unknown; user: string | undefined }[] = [];
  const tools: Tool[] = [
    { name: "echo", description: "Echoes the message", inputSchema: obj({ message: { type: "string" } }) },
    { name: "fail", description: "Always throws", inputSchema: obj() },
    { name: "soft_fail", description: "Returns an error result", inputSchema: obj() },
    { name: "slow", description: "Waits until cancelled", inputSchema: obj() },
    { name: "big", description: "Returns 2 MiB of text", inputSchema: obj() },
    { name: "media", description: "Returns an image, audio and a link", inputSchema: obj() },
    { name: "whoami", description: "Returns the user header", inputSchema: obj() },
    { name: "admin_delete", description: "Must never be offered", inputSchema: obj() },
  ];
  const servers = new Set<Server>();
  const transports = new Map<string, StreamableHTTPServerTransport>();

  const handle = async (
    name: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
    user: string | undefined,
  ): Promise<CallToolResult> => {
    calls.push({ tool: name, args, user });
    switch (name) {
      case "echo":
        return { content: [{ type: "text", text: `Echo: ${String(args.message)}` }] };
      case "fail":
        throw new Error("the backend is down");
      case "soft_fail":
        return { content: [{ type: "text", text: "not allowed today" }], isError: true };
      case "slow":
        return new Promise((_, reject) =>
          signal.addEventListener("abort", () => {
            cancelled.push(name);
            reject(new Error("cancelled"));
          }),
        );
      case "big":
        return { content: [{ type: "text", text: "x".repeat(2 * 1024 * 1024) }] };
      case "media":
        return {
          content: [
            { type: "image", data: TINY_PNG, mimeType: "image/png" },
            { type: "audio", data: "AAAA", mimeType: "audio/wav" },
            { type: "resource_link", uri: "file:///report.pdf", name: "report" },
          ],
        };
      case "whoami":
        return { content: [{ type: "text", text: `user=${user ?? "none"}` }] };
      default:
        return { content: [{ type: "text", text: `ran ${name}` }] };
    }
  };

  const newServer = (user: () => string | undefined): Server => {
    const server = new Server(
      { name: "causeway-test", version: "1.0.0" },
      { capabilities: { tools: { listChanged: true } } },
    );
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
    server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
      handle(request.params.name, request.params.arguments ?? {}, extra.signal, user()),
    );
    servers.add(server);
    return server;
  };

  const http = createServer(async (req, res) => {
    seenHeaders.push(req.headers);
    const sessionId = req.headers["mcp-session-id"];
    let transport = typeof sessionId === "string" ? transports.get(sessionId) : undefined;
    if (!transport) {
      if (req.method !== "POST" || sessionId) {
        res.writeHead(404).end();
        return;
      }
      const userHeader = req.headers["x-user"];
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void transports.set(id, created),
      });
      transport = created;
      await newServer(() => (typeof userHeader === "string" ? userHeader : undefined)).connect(created);
    }
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
  const bound = (http.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${bound}/mcp`,
    port: bound,
    seenHeaders,
    cancelled,
    calls,
    /** Adds a tool and tells every connected client that the list changed. */
    async addTool(tool: Tool): Promise<void> {
      tools.push(tool);
      await Promise.all([...servers].map((s) => s.sendToolListChanged().catch(() => {})));
    },
    async close(): Promise<void> {
      await Promise.all([...transports.values()].map((t) => t.close().catch(() => {})));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

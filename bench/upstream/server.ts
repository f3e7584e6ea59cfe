/**
 * The zero-delay mock upstream, in its own process: Anthropic Messages and OpenAI Chat
 * Completions / Responses, JSON or SSE, shaped by the model name (see lib/shapes.ts).
 * Usage: bun bench/upstream/server.ts  → prints {"listening":"http://127.0.0.1:PORT"} on stdout.
 */
import { parseShapeModel } from "../lib/shapes.ts";
import { anthropicJson, anthropicScript } from "./anthropic.ts";
import { chatJson, chatScript, responsesJson, responsesScript } from "./openai.ts";
import { type StreamScript, sseBody } from "./sse-body.ts";

interface ApiHandler {
  json(model: string, shape: ReturnType<typeof parseShapeModel>): unknown;
  script(model: string): StreamScript;
}

const HANDLERS: Record<string, ApiHandler> = {
  "/v1/messages": { json: anthropicJson, script: anthropicScript },
  "/v1/chat/completions": { json: chatJson, script: chatScript },
  "/v1/responses": { json: responsesJson, script: responsesScript },
};

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };

async function handle(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  const handler = HANDLERS[path];
  if (request.method !== "POST" || !handler) {
    return Response.json(
      { type: "error", error: { type: "not_found_error", message: `no ${request.method} ${path}` } },
      { status: 404 },
    );
  }
  let body: { model?: unknown; stream?: unknown };
  try {
    body = (await request.json()) as typeof body;
  } catch {
    return Response.json(
      { type: "error", error: { type: "invalid_request_error", message: "bad JSON" } },
      { status: 400 },
    );
  }
  const model = typeof body.model === "string" ? body.model : "bench";
  const shape = parseShapeModel(model);
  if (body.stream === true)
    return new Response(sseBody(handler.script(model), shape), { headers: SSE_HEADERS });
  return Response.json(handler.json(model, shape), { headers: { "request-id": "req_bench" } });
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.BENCH_PORT ?? "0"),
  // Held streams are silent for long stretches: never cut them for idleness.
  idleTimeout: 0,
  fetch: handle,
});
process.stdout.write(`${JSON.stringify({ listening: `http://127.0.0.1:${server.port}` })}\n`);

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { routeFor } from "./api-routes.ts";
import { bytes, type ConformanceCase, type ModeCase, type ReplayResponse } from "./case.ts";

/**
 * Cases from the recorded corpus (`../shared/corpus/vercel-ai/<api>/`), read in place and never
 * copied. `*.chunks.txt` holds one event payload per line without its SSE envelope: the wire is
 * rebuilt as the provider sends it (`event: <type>` + `data:` for Anthropic and Responses;
 * `data:` lines then `data: [DONE]` for Chat). `*.json` is a blocking response body. No client
 * requests were kept, so each case gets a minimal valid request.
 */
export function corpusCases(root: string, api: string): ConformanceCase[] {
  const dir = join(root, api);
  const files = readdirSync(dir).sort();
  const cases: ConformanceCase[] = [];
  for (const file of files) {
    const text = readFileSync(join(dir, file), "utf8");
    if (file.endsWith(".chunks.txt"))
      cases.push({ id: `corpus/${api}/${file}`, api, modes: [streamingCase(api, text)] });
    else if (file.endsWith(".json"))
      cases.push({ id: `corpus/${api}/${file}`, api, modes: [blockingCase(api, text)] });
  }
  return cases;
}

interface Payload {
  readonly line: string;
  readonly json: Record<string, unknown> | undefined;
}

function streamingCase(api: string, text: string): ModeCase {
  const payloads: Payload[] = text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .map((line) => ({ line, json: parseObject(line) }));
  const chat = api === "openai-chat";
  let wire = "";
  for (const { line, json } of payloads) {
    const type = typeof json?.type === "string" ? json.type : undefined;
    wire += chat || type === undefined ? `data: ${line}\n\n` : `event: ${type}\ndata: ${line}\n\n`;
  }
  if (chat) wire += "data: [DONE]\n\n";
  const types = new Set(payloads.map((p) => (typeof p.json?.type === "string" ? p.json.type : "")));
  if (chat) types.add("[DONE]");
  const errored =
    types.has("error") ||
    types.has("response.failed") ||
    payloads.some((p) => chat && p.json?.error !== undefined);
  const body = bytes(wire);
  const response: ReplayResponse = { status: 200, headers: [["content-type", "text/event-stream"]], body };
  return {
    mode: "streaming",
    requestBody: minimalRequest(api, modelOf(payloads.map((p) => p.json)), true),
    responses: [response],
    expectStatus: 200,
    expectClient: body,
    expect: {
      ...(routeFor(api).endMarker(types) && !errored ? { completed: true } : {}),
      ...(!routeFor(api).endMarker(types) && !errored ? { truncated: true } : {}),
      ...(payloads.some((p) => hasUsage(p.json)) ? { nonZeroTokens: true } : {}),
    },
  };
}

function blockingCase(api: string, text: string): ModeCase {
  const json = parseObject(text);
  // An error body was recorded from a failed call: replay it with an error status.
  const failed =
    json !== undefined && typeof json.error === "object" && json.error !== null && json.type !== "message";
  const status = failed ? 400 : 200;
  const body = bytes(text);
  return {
    mode: "non-streaming",
    requestBody: minimalRequest(api, modelOf([json]), false),
    responses: [{ status, headers: [["content-type", "application/json"]], body }],
    expectStatus: status,
    expectClient: body,
    expect: failed
      ? { completed: false }
      : { completed: true, ...(hasUsage(json) ? { nonZeroTokens: true } : {}) },
  };
}

/** The model named by the first payload that names one (Anthropic nests it in `message`). */
function modelOf(payloads: readonly (Record<string, unknown> | undefined)[]): string {
  for (const payload of payloads) {
    for (const holder of [payload, asRecord(payload?.message), asRecord(payload?.response)]) {
      if (typeof holder?.model === "string" && holder.model !== "") return holder.model;
    }
  }
  return "replay-model";
}

function minimalRequest(api: string, model: string, stream: boolean): string {
  const prompt = "Replay of a recorded response.";
  switch (api) {
    case "anthropic-messages":
      return JSON.stringify({
        model,
        max_tokens: 1024,
        stream,
        messages: [{ role: "user", content: prompt }],
      });
    case "openai-chat":
      return JSON.stringify({
        model,
        stream,
        ...(stream ? { stream_options: { include_usage: true } } : {}),
        messages: [{ role: "user", content: prompt }],
      });
    default:
      return JSON.stringify({ model, stream, input: prompt });
  }
}

/** True when a payload (or its nested message/response) carries a usage object with a count > 0. */
function hasUsage(payload: Record<string, unknown> | undefined): boolean {
  for (const holder of [payload, asRecord(payload?.message), asRecord(payload?.response)]) {
    const usage = asRecord(holder?.usage);
    if (usage && Object.values(usage).some((value) => typeof value === "number" && value > 0)) return true;
  }
  return false;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    return asRecord(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

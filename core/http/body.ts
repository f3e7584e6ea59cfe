import { type GatewayError, gatewayError } from "../errors.ts";

export type BodyResult =
  | { readonly ok: true; readonly bytes: Uint8Array<ArrayBuffer> }
  | { readonly ok: false; readonly error: GatewayError };

/**
 * Reads a request body while counting bytes, and stops as soon as it passes `limit`, so an
 * oversized body is refused without being buffered whole (INP-04).
 */
export async function readBodyWithLimit(request: Request, limit: number): Promise<BodyResult> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return tooLarge(limit);
  // A declared length within the limit bounds the body already (the server enforces the framing),
  // and reading it whole is much cheaper than a reader loop on the hot path. Before touching
  // `request.body`: asking for the stream makes some shells (@hono/node-server) build one, where
  // arrayBuffer() alone reads the socket directly. A body-less request reads as empty either way.
  if (declared !== null && /^\d+$/.test(declared)) {
    try {
      return { ok: true, bytes: new Uint8Array(await request.arrayBuffer()) };
    } catch {
      return { ok: false, error: gatewayError("invalid_request", "The request body could not be read.") };
    }
  }
  if (!request.body) return { ok: true, bytes: new Uint8Array(new ArrayBuffer(0)) };
  const reader = (request.body as ReadableStream<Uint8Array<ArrayBuffer>>).getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        return tooLarge(limit);
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, error: gatewayError("invalid_request", "The request body could not be read.") };
  }
  if (chunks.length === 1) return { ok: true, bytes: chunks[0]! };
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

function tooLarge(limit: number): BodyResult {
  return {
    ok: false,
    error: gatewayError("request_too_large", `Request body exceeds the limit of ${limit} bytes.`),
  };
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

export type JsonObject = Record<string, unknown>;
export type JsonResult =
  | { readonly ok: true; readonly text: string; readonly json: JsonObject }
  | { readonly ok: false; readonly error: GatewayError };

/** Decodes and parses a JSON object body; the raw text is kept so it can be forwarded verbatim. */
export function parseJsonObject(bytes: Uint8Array): JsonResult {
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    return { ok: false, error: gatewayError("invalid_request", "The request body is not valid UTF-8.") };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: gatewayError("invalid_request", "The request body is not valid JSON.") };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { ok: false, error: gatewayError("invalid_request", "The request body must be a JSON object.") };
  }
  return { ok: true, text, json: json as JsonObject };
}

import { type GatewayError, gatewayError } from "../errors.ts";

export type BodyResult =
  | { readonly ok: true; readonly bytes: Uint8Array<ArrayBuffer> }
  | { readonly ok: false; readonly error: GatewayError };

/** A body read whole: its bytes, or why not (past the limit, or the stream failed). */
export type LimitedRead =
  | { readonly ok: true; readonly bytes: Uint8Array<ArrayBuffer> }
  | { readonly ok: false; readonly reason: "too-large" | "unreadable" };

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
  const read =
    declared !== null && /^\d+$/.test(declared)
      ? await readWhole(request)
      : await readStreamWithLimit(request.body, limit);
  if (read.ok) return read;
  if (read.reason === "too-large") return tooLarge(limit);
  return { ok: false, error: gatewayError("invalid_request", "The request body could not be read.") };
}

/**
 * Reads an upstream response body whole, up to `limit` bytes (`limits.max_response_bytes`):
 * a declared length above it is refused unread; otherwise bytes are counted as they arrive, since
 * a compressed body's declared length says nothing about its decoded size.
 */
export async function readResponseWithLimit(response: Response, limit: number): Promise<LimitedRead> {
  const declared = response.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    await response.body?.cancel().catch(() => {});
    return TOO_LARGE;
  }
  if (declared !== null && /^\d+$/.test(declared) && !response.headers.has("content-encoding"))
    return readWhole(response);
  return readStreamWithLimit(response.body, limit);
}

async function readWhole(message: Request | Response): Promise<LimitedRead> {
  try {
    return { ok: true, bytes: new Uint8Array(await message.arrayBuffer()) };
  } catch {
    return UNREADABLE;
  }
}

/** Reads a stream whole, counting bytes; past `limit` it stops reading and cancels the stream. */
export async function readStreamWithLimit(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<LimitedRead> {
  if (!body) return { ok: true, bytes: new Uint8Array(new ArrayBuffer(0)) };
  const reader = (body as ReadableStream<Uint8Array<ArrayBuffer>>).getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        return TOO_LARGE;
      }
      chunks.push(value);
    }
  } catch {
    return UNREADABLE;
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

const TOO_LARGE: LimitedRead = { ok: false, reason: "too-large" };
const UNREADABLE: LimitedRead = { ok: false, reason: "unreadable" };

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

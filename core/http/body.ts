import { type GatewayError, gatewayError } from "../errors.ts";
import type { Clock } from "../ports/clock.ts";

export type BodyResult =
  | { readonly ok: true; readonly bytes: Uint8Array<ArrayBuffer> }
  | {
      readonly ok: false;
      readonly error: GatewayError;
      /** Headers for the refusal: `connection: close` when the rest of the body may still come. */
      readonly headers?: HeadersInit;
    };

/** A body read whole: its bytes, or why not (past the limit, the stream failed, or it went silent). */
export type LimitedRead =
  | { readonly ok: true; readonly bytes: Uint8Array<ArrayBuffer> }
  | { readonly ok: false; readonly reason: "too-large" | "unreadable" | "stalled" };

/** How long a body may go without a byte (`server.idle_timeout_s`); `ms` 0: no bound. */
export interface IdleBound {
  readonly clock: Clock;
  readonly ms: number;
}

/**
 * Declared bodies up to this size are read whole with the runtime's native `arrayBuffer()` (much
 * cheaper than a reader loop) and must arrive within one idle period; larger and chunked ones are
 * read chunk by chunk, each chunk within one idle period, so a slow upload that keeps moving is
 * never cut (at the default 120 s, a small body needs 2.2 KB/s).
 */
export const WHOLE_READ_BYTES = 256 * 1024;

/**
 * Reads a request body while counting bytes, and stops as soon as it passes `limit`, so an
 * oversized body is refused without being buffered whole (INP-04); a body that goes silent for
 * `idle.ms` is refused too, on every runtime (issue 17: Deno had no bound, Node only 300 s total).
 */
export async function readBodyWithLimit(
  request: Request,
  limit: number,
  idle: IdleBound | null = null,
): Promise<BodyResult> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return tooLarge(limit);
  // A declared length within the limit bounds the body already (the server enforces the framing).
  // Before touching `request.body`: asking for the stream makes some shells (@hono/node-server)
  // build one, where arrayBuffer() alone reads the socket directly. A body-less request reads as
  // empty either way.
  const whole = declared !== null && /^\d+$/.test(declared) && Number(declared) <= WHOLE_READ_BYTES;
  const timed = whole
    ? await withinIdle(readWhole(request), idle)
    : await readStreamWithLimit(request.body, limit, idle);
  const read = timed === TIMED_OUT ? STALLED : timed;
  if (read.ok) return read;
  if (read.reason === "too-large") return tooLarge(limit);
  if (read.reason === "stalled")
    return {
      ok: false,
      error: gatewayError("invalid_request", `The request body stalled: no byte for ${idle!.ms / 1000} s.`),
      headers: CLOSE,
    };
  return { ok: false, error: gatewayError("invalid_request", "The request body could not be read.") };
}

/** `work`, or TIMED_OUT if it takes longer than one idle period. */
async function withinIdle<T>(work: Promise<T>, idle: IdleBound | null): Promise<T | typeof TIMED_OUT> {
  if (idle === null || idle.ms <= 0) return work;
  let cancel = (): void => {};
  const stalled = new Promise<typeof TIMED_OUT>((resolve) => {
    cancel = idle.clock.setTimer(idle.ms, () => resolve(TIMED_OUT));
  });
  try {
    return await Promise.race([work, stalled]);
  } finally {
    cancel();
  }
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

/**
 * Reads a stream whole, counting bytes; past `limit`, or after `idle.ms` without a chunk, it stops
 * reading and cancels the stream.
 */
export async function readStreamWithLimit(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  idle: IdleBound | null = null,
): Promise<LimitedRead> {
  if (!body) return { ok: true, bytes: new Uint8Array(new ArrayBuffer(0)) };
  const reader = (body as ReadableStream<Uint8Array<ArrayBuffer>>).getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  try {
    for (;;) {
      const next = await withinIdle(reader.read(), idle);
      if (next === TIMED_OUT) {
        reader.cancel().catch(() => {});
        return STALLED;
      }
      const { done, value } = next;
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
const CLOSE: HeadersInit = { connection: "close" };
const STALLED: LimitedRead = { ok: false, reason: "stalled" };
const TIMED_OUT: unique symbol = Symbol("timed out");

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

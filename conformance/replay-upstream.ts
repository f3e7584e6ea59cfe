import type { Upstream } from "../core/ports/upstream.ts";
import type { ReplayResponse } from "./case.ts";
import type { Chunking } from "./chunkings.ts";

const encoder = new TextEncoder();

/** What the replay upstream saw of one call. */
export interface ReplayedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly body: Uint8Array;
  readonly signal: AbortSignal;
}

/**
 * Reads a fixture response section: a raw HTTP response when it starts with `HTTP/` (status line,
 * headers, blank line, body; LF or CRLF), otherwise a 200 whose body is the section itself.
 */
export function parseResponseSection(text: string, defaultContentType: string): ReplayResponse {
  if (!text.startsWith("HTTP/")) {
    return { status: 200, headers: [["content-type", defaultContentType]], body: encoder.encode(text) };
  }
  const headEnd = /\r?\n\r?\n/.exec(text);
  const head = headEnd ? text.slice(0, headEnd.index) : text;
  const body = headEnd ? text.slice(headEnd.index + headEnd[0].length) : "";
  const [statusLine = "", ...lines] = head.split(/\r?\n/);
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`bad HTTP status line: ${statusLine}`);
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`bad header line: ${line}`);
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
  });
  return { status, headers, body: encoder.encode(body) };
}

/**
 * An Upstream port that answers call N with response N, its body re-chunked by `chunking` and
 * served one chunk per pull (so backpressure and cancellation behave as on a socket). Aborting
 * the request signal errors the body, as fetch does. Calls beyond the script get a 599 the
 * runner reports as unexpected.
 */
export function replayUpstream(responses: readonly ReplayResponse[], chunking: Chunking) {
  const requests: ReplayedRequest[] = [];
  const upstream: Upstream = async (request) => {
    const body = new Uint8Array(await request.arrayBuffer());
    requests.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body,
      signal: request.signal,
    });
    const answer = responses[requests.length - 1];
    if (!answer) return new Response("unexpected upstream call", { status: 599 });
    if (request.signal.aborted) throw request.signal.reason;
    return new Response(chunkedBody(chunking.split(answer.body), request.signal), {
      status: answer.status,
      headers: answer.headers.map(([name, value]) => [name, value]),
    });
  };
  return { upstream, requests };
}

function chunkedBody(chunks: Uint8Array[], signal: AbortSignal): ReadableStream<Uint8Array> {
  let next = 0;
  let onAbort: (() => void) | null = null;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        onAbort = () => controller.error(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
      },
      pull(controller) {
        const chunk = chunks[next++];
        if (chunk === undefined) {
          if (onAbort) signal.removeEventListener("abort", onAbort);
          controller.close();
          return;
        }
        // A copy: consumers may transfer or keep the buffer.
        controller.enqueue(chunk.slice());
      },
      cancel() {
        if (onAbort) signal.removeEventListener("abort", onAbort);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A local OTLP/HTTP trace receiver, so the observed variant exports its spans somewhere real
 * (serialised and POSTed, as to a collector) without a collector's own CPU on this machine.
 * POST /v1/traces: 200 with an empty body (an OTLP full success); requests, bytes and spans
 * are counted. GET /stats: those counts as JSON, to check that every request was traced.
 * Usage: bun bench/upstream/otlp-sink.ts  → prints {"listening":"http://127.0.0.1:PORT"} on stdout.
 */

export interface SinkStats {
  readonly requests: number;
  /** Body bytes as sent (compressed, if the exporter compresses). */
  readonly bytes: number;
  /** Spans in the bodies; null once a body could not be read (the counts stop meaning "all"). */
  readonly spans: number | null;
}

let requests = 0;
let bytes = 0;
let spans: number | null = 0;

/** The protobuf varint at `at`: its value and where the next field starts. */
function varint(buffer: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buffer[at++];
    if (byte === undefined) throw new Error("truncated varint");
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
    shift += 7;
  }
}

/** The byte ranges of the length-delimited fields numbered `field` in buffer[start, end). */
function subMessages(buffer: Uint8Array, start: number, end: number, field: number): [number, number][] {
  const found: [number, number][] = [];
  let at = start;
  while (at < end) {
    const [tag, next] = varint(buffer, at);
    at = next;
    const wireType = tag & 7;
    if (wireType === 0) at = varint(buffer, at)[1];
    else if (wireType === 1) at += 8;
    else if (wireType === 5) at += 4;
    else if (wireType === 2) {
      const [length, body] = varint(buffer, at);
      if (tag >>> 3 === field) found.push([body, body + length]);
      at = body + length;
    } else throw new Error(`unsupported wire type ${wireType}`);
  }
  return found;
}

/** ExportTraceServiceRequest → resource_spans (1) → scope_spans (2) → spans (2). */
function countProtobufSpans(body: Uint8Array): number {
  let count = 0;
  for (const [rs, rsEnd] of subMessages(body, 0, body.length, 1))
    for (const [ss, ssEnd] of subMessages(body, rs, rsEnd, 2))
      count += subMessages(body, ss, ssEnd, 2).length;
  return count;
}

function countJsonSpans(body: Uint8Array): number {
  const request = JSON.parse(new TextDecoder().decode(body)) as {
    resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[];
  };
  let count = 0;
  for (const rs of request.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? []) count += ss.spans?.length ?? 0;
  return count;
}

async function handle(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (request.method === "GET" && path === "/stats")
    return Response.json({ requests, bytes, spans } satisfies SinkStats);
  if (request.method !== "POST" || path !== "/v1/traces") return new Response(null, { status: 404 });
  const raw = new Uint8Array(await request.arrayBuffer());
  requests++;
  bytes += raw.byteLength;
  try {
    const body = request.headers.get("content-encoding") === "gzip" ? Bun.gunzipSync(raw) : raw;
    const json = request.headers.get("content-type")?.includes("json") ?? false;
    if (spans !== null) spans += json ? countJsonSpans(body) : countProtobufSpans(body);
  } catch {
    spans = null;
  }
  return new Response(null, { status: 200 });
}

/** The sink's counts so far, from another process. */
export async function readSinkStats(url: string): Promise<SinkStats> {
  const response = await fetch(`${url}/stats`, { signal: AbortSignal.timeout(5000) });
  return (await response.json()) as SinkStats;
}

if (import.meta.main) {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handle });
  process.stdout.write(`${JSON.stringify({ listening: `http://127.0.0.1:${server.port}` })}\n`);
}

import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { decodeTraceRequest } from "./otlp-protobuf.ts";

export type AttributeValue = string | number | boolean;

/** One span as the tests read it, whichever protocol carried it. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** "" for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP's SpanKind numbers (see OTLP_KIND), not the API's. */
  readonly kind: number;
  readonly attributes: Record<string, AttributeValue>;
  /** End time minus start time, in milliseconds. */
  readonly durationMs: number;
  /** OTLP's StatusCode: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message: string };
  /** The attributes of the resource the span was exported under. */
  readonly resource: Record<string, AttributeValue>;
}

/** OTLP's span kinds on the wire (the API's enum counts from INTERNAL = 0). */
export const OTLP_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;
export const OTLP_STATUS = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** One POST as it arrived. */
export interface ReceivedRequest {
  readonly path: string;
  readonly contentType: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as sent (still gzipped if it was). */
  readonly body: Buffer;
}

export interface OtlpReceiver {
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Every span received on the path so far, decoded from JSON or protobuf. */
  spans(): ReceivedSpan[];
  close(): Promise<void>;
}

export interface OtlpReceiverOptions {
  /** The path spans are accepted on (default `/v1/traces`); other paths get 404. */
  readonly path?: string;
  /** The status to answer (default 200: an empty success in the request's format). */
  readonly status?: number;
}

/**
 * A local OTLP/HTTP trace collector on 127.0.0.1: keeps every request with its content type and
 * answers POSTs on its path with `status`.
 */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const path = options.path ?? "/v1/traces";
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (chunk: Buffer) => parts.push(chunk));
    req.on("end", () => {
      const contentType = String(req.headers["content-type"] ?? "");
      requests.push({ path: req.url ?? "", contentType, headers: req.headers, body: Buffer.concat(parts) });
      if (req.method !== "POST" || req.url !== path) return void res.writeHead(404).end();
      const status = options.status ?? 200;
      if (status !== 200) return void res.writeHead(status, { "content-type": "text/plain" }).end("refused");
      // An empty ExportTraceServiceResponse: `{}` in JSON, zero bytes in protobuf.
      const json = contentType.startsWith("application/json");
      res.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" });
      res.end(json ? "{}" : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans: () => requests.filter((e) => e.path === path).flatMap(decodeRequest),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function decodeRequest(received: ReceivedRequest): ReceivedSpan[] {
  const body = received.headers["content-encoding"] === "gzip" ? gunzipSync(received.body) : received.body;
  if (received.contentType.startsWith("application/json"))
    return flattenJson(JSON.parse(body.toString("utf8")));
  if (received.contentType.startsWith("application/x-protobuf")) return decodeTraceRequest(body);
  throw new Error(`unexpected content type ${received.contentType}`);
}

interface JsonKeyValue {
  key: string;
  value: { stringValue?: string; boolValue?: boolean; intValue?: number | string; doubleValue?: number };
}
interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: JsonKeyValue[];
  status?: { code?: number; message?: string };
}
interface JsonRequest {
  resourceSpans?: {
    resource?: { attributes?: JsonKeyValue[] };
    scopeSpans?: { spans?: JsonSpan[] }[];
  }[];
}

/** OTLP/JSON (ids in hex, int64 possibly as strings) → the flat list. */
function flattenJson(request: JsonRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = jsonAttributes(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? "",
        name: span.name,
        kind: span.kind ?? 0,
        attributes: jsonAttributes(span.attributes),
        durationMs: Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6,
        status: { code: span.status?.code ?? 0, message: span.status?.message ?? "" },
        resource,
      })),
    );
  });
}

function jsonAttributes(list: JsonKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) {
    if (value.stringValue !== undefined) out[key] = value.stringValue;
    else if (value.boolValue !== undefined) out[key] = value.boolValue;
    else if (value.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue;
  }
  return out;
}

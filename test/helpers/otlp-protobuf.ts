import type { AttributeValue, ReceivedSpan } from "./otlp-receiver.ts";

/**
 * A decoder for OTLP/HTTP protobuf trace exports (ExportTraceServiceRequest), written from the
 * field numbers of opentelemetry-proto's trace.proto, common.proto and resource.proto. The
 * exporter's own package has a writer but no request decoder; decoding lets the tests assert the
 * same spans, ids and attributes for both protocols instead of searching the raw bytes.
 * Only what the tests read is decoded; other fields are skipped by wire type.
 */

interface Field {
  readonly number: number;
  /** Varints and fixed-size values as bigint, length-delimited ones as bytes. */
  readonly value: bigint | Uint8Array;
}

/** The fields of one message, in order (repeated fields appear once per element). */
function fields(bytes: Uint8Array): Field[] {
  const out: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= bytes.length) throw new Error("truncated varint");
      const byte = bytes[at++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  const fixed = (size: number): bigint => {
    if (at + size > bytes.length) throw new Error("truncated fixed-size field");
    let result = 0n;
    for (let i = size - 1; i >= 0; i--) result = (result << 8n) | BigInt(bytes[at + i]!);
    at += size;
    return result;
  };
  while (at < bytes.length) {
    const tag = Number(varint());
    const number = tag >>> 3;
    switch (tag & 7) {
      case 0:
        out.push({ number, value: varint() });
        break;
      case 1:
        out.push({ number, value: fixed(8) });
        break;
      case 2: {
        const length = Number(varint());
        if (at + length > bytes.length) throw new Error("truncated length-delimited field");
        out.push({ number, value: bytes.subarray(at, at + length) });
        at += length;
        break;
      }
      case 5:
        out.push({ number, value: fixed(4) });
        break;
      default:
        throw new Error(`unsupported wire type ${tag & 7}`);
    }
  }
  return out;
}

const text = (value: Field["value"]): string => new TextDecoder().decode(value as Uint8Array);
const hex = (value: Field["value"]): string => Buffer.from(value as Uint8Array).toString("hex");
const messages = (list: Field[], number: number): Uint8Array[] =>
  list.filter((f) => f.number === number).map((f) => f.value as Uint8Array);

/** AnyValue: string 1, bool 2, int 3 (int64 varint), double 4 (fixed64); arrays and maps are not used. */
function anyValue(bytes: Uint8Array): AttributeValue {
  const field = fields(bytes)[0];
  if (!field) return "";
  switch (field.number) {
    case 1:
      return text(field.value);
    case 2:
      return field.value === 1n;
    case 3:
      return Number(BigInt.asIntN(64, field.value as bigint));
    case 4: {
      const view = new DataView(new ArrayBuffer(8));
      view.setBigUint64(0, field.value as bigint, true);
      return view.getFloat64(0, true);
    }
    default:
      throw new Error(`unsupported AnyValue field ${field.number}`);
  }
}

/** Repeated KeyValue (key 1, value 2) as a record. */
function attributes(list: Uint8Array[]): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const keyValue of list) {
    const parts = fields(keyValue);
    const key = parts.find((f) => f.number === 1);
    const value = parts.find((f) => f.number === 2);
    if (key) out[text(key.value)] = value ? anyValue(value.value as Uint8Array) : "";
  }
  return out;
}

/** ExportTraceServiceRequest → the flat span list the receiver keeps for JSON too. */
export function decodeTraceRequest(body: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of messages(fields(body), 1)) {
    const resourceFields = fields(resourceSpans);
    const resourceMessage = messages(resourceFields, 1)[0];
    const resource = resourceMessage ? attributes(messages(fields(resourceMessage), 1)) : {};
    for (const scopeSpans of messages(resourceFields, 2)) {
      for (const spanBytes of messages(fields(scopeSpans), 2)) spans.push(span(spanBytes, resource));
    }
  }
  return spans;
}

/** Span: trace_id 1, span_id 2, parent_span_id 4, name 5, kind 6, start 7, end 8, attributes 9, status 15. */
function span(bytes: Uint8Array, resource: Record<string, AttributeValue>): ReceivedSpan {
  const list = fields(bytes);
  const one = (number: number): Field["value"] | undefined => list.find((f) => f.number === number)?.value;
  const parent = one(4);
  const statusBytes = one(15);
  const status = statusBytes ? fields(statusBytes as Uint8Array) : [];
  const message = status.find((f) => f.number === 2);
  return {
    traceId: hex(one(1)!),
    spanId: hex(one(2)!),
    parentSpanId: parent && (parent as Uint8Array).length > 0 ? hex(parent) : "",
    name: text(one(5) ?? new Uint8Array()),
    kind: Number(one(6) ?? 0n),
    attributes: attributes(messages(list, 9)),
    durationMs: Number(((one(8) as bigint | undefined) ?? 0n) - ((one(7) as bigint | undefined) ?? 0n)) / 1e6,
    status: {
      code: Number(status.find((f) => f.number === 3)?.value ?? 0n),
      message: message ? text(message.value) : "",
    },
    resource,
  };
}

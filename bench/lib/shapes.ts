/**
 * What the benchmark asks the mock upstream for. The shape travels in the model name
 * (`bench-e20-s64-i5`, `bench-hold`), the one field every gateway forwards untouched, so the
 * upstream needs no side channel and every variant gets exactly the same answer.
 */
export type ApiKind = "anthropic.messages" | "openai.chat" | "openai.responses";

export const API_KINDS: readonly ApiKind[] = ["anthropic.messages", "openai.chat", "openai.responses"];

export interface StreamShape {
  /** Content events (text deltas) in the stream. */
  readonly events: number;
  /** Characters of text per content event (after the timestamp prefix). */
  readonly size: number;
  /** Milliseconds between content events; 0 sends them back to back. */
  readonly intervalMs: number;
  /** Sends the opening events, then holds the stream open until the client leaves. */
  readonly hold: boolean;
}

export const DEFAULT_SHAPE: StreamShape = { events: 10, size: 64, intervalMs: 0, hold: false };

export function shapeModel(shape: StreamShape): string {
  return shape.hold ? "bench-hold" : `bench-e${shape.events}-s${shape.size}-i${shape.intervalMs}`;
}

export function parseShapeModel(model: string): StreamShape {
  if (model === "bench-hold") return { ...DEFAULT_SHAPE, hold: true };
  const match = /^bench-e(\d+)-s(\d+)-i(\d+)$/.exec(model);
  if (!match) return DEFAULT_SHAPE;
  return { events: Number(match[1]), size: Number(match[2]), intervalMs: Number(match[3]), hold: false };
}

/** The upstream path each API is served on (after `/v1`-style provider base URLs). */
export const UPSTREAM_PATHS: Record<ApiKind, string> = {
  "anthropic.messages": "/v1/messages",
  "openai.chat": "/v1/chat/completions",
  "openai.responses": "/v1/responses",
};

/** A minimal but valid request body for the API, streaming or not. */
export function requestBody(api: ApiKind, shape: StreamShape, stream: boolean): string {
  const model = shapeModel(shape);
  const prompt = "Say hello to the benchmark.";
  switch (api) {
    case "anthropic.messages":
      return JSON.stringify({
        model,
        max_tokens: 256,
        stream,
        messages: [{ role: "user", content: prompt }],
      });
    case "openai.chat":
      return JSON.stringify({
        model,
        stream,
        ...(stream ? { stream_options: { include_usage: true } } : {}),
        messages: [{ role: "user", content: prompt }],
      });
    case "openai.responses":
      return JSON.stringify({ model, stream, input: prompt });
  }
}

/** Marker the upstream puts in every content event: `⟨t=<epoch ms with fraction>⟩`. */
export const STAMP_PREFIX = "t=";
export const STAMP_PATTERN = /t=(\d+\.\d+);/g;

/** Wall-clock milliseconds with sub-millisecond precision, comparable across local processes. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export function stampedText(size: number): string {
  return `${STAMP_PREFIX}${preciseNow().toFixed(3)};${"x".repeat(size)}`;
}

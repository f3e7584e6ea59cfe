import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ApiDefinition } from "../core/apis/api-definition.ts";
import { SseDecoder } from "../core/sse/decoder.ts";
import { encodeSse } from "../core/sse/encoder.ts";
import type { SseEvent } from "../core/sse/event.ts";
import { type Chunking, cutAt } from "./chunkings.ts";
import { fixtureDirCases } from "./load.ts";
import { replay } from "./runner.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const RUNS = { numRuns: 120, seed: 20261128 };

/** Every ApiDefinition exported by a core/apis/<api>/index.ts, found at run time (new APIs are covered on arrival). */
async function apiDefinitions(): Promise<ApiDefinition[]> {
  const found: ApiDefinition[] = [];
  for (const dir of readdirSync(`${root}core/apis`, { withFileTypes: true })) {
    const index = `${root}core/apis/${dir.name}/index.ts`;
    if (!dir.isDirectory() || !existsSync(index)) continue;
    const module = (await import(index)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      const candidate = value as Partial<ApiDefinition> | null;
      if (
        typeof candidate === "object" &&
        candidate !== null &&
        typeof candidate.name === "string" &&
        typeof candidate.observe === "function"
      )
        found.push(candidate as ApiDefinition);
    }
  }
  return found;
}

const definitions = await apiDefinitions();

describe("re-chunking invariance (CLI-09)", () => {
  const cases = fixtureDirCases(`${root}fixtures`).flatMap((c) =>
    c.modes
      .filter((m) => m.mode === "streaming" && (m.responses[0]?.body.length ?? 0) <= 8192)
      .map((m) => ({ api: c.api, id: c.id, mode: m })),
  );
  it("has small streaming fixtures to split", () => expect(cases.length).toBeGreaterThan(5));

  it("any split of a fixture gives identical client bytes and identical recorded usage", async () => {
    const whole: Chunking = { name: "whole", split: (b) => [b] };
    const baselines = new Map<string, Awaited<ReturnType<typeof replay>>>();
    for (const c of cases) baselines.set(c.id, await replay(c.api, c.mode, whole));
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: cases.length - 1 }),
        fc.array(fc.nat({ max: 8192 }), { maxLength: 40 }),
        async (pick, rawCuts) => {
          const c = cases[pick]!;
          const size = c.mode.responses[0]!.body.length;
          const cuts = [...new Set(rawCuts.map((n) => n % Math.max(size, 1)))].sort((a, b) => a - b);
          const seen = await replay(c.api, c.mode, { name: "property", split: (b) => cutAt(b, cuts) });
          const base = baselines.get(c.id)!;
          expect(Buffer.from(seen.body).equals(Buffer.from(base.body))).toBe(true);
          expect(seen.audit).toEqual(base.audit);
        },
      ),
      RUNS,
    );
  });
});

describe("SSE encode∘decode", () => {
  const name = fc.string({ unit: "binary", minLength: 1 }).filter((s) => !/[\r\n]/.test(s));
  const data = fc.string({ unit: "binary" });
  const event = fc.record({ event: fc.option(name, { nil: undefined }), data });

  it("is the identity (up to line-ending normalisation in data) for any events in any chunking", () => {
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (events, rawCuts) => {
          const wire = new TextEncoder().encode(events.map((e) => encodeSse(e)).join(""));
          const cuts = [...new Set(rawCuts.map((n) => n % wire.length))].sort((a, b) => a - b);
          const decoder = new SseDecoder();
          const decoded: SseEvent[] = [];
          for (const piece of cutAt(wire, cuts)) decoded.push(...decoder.push(piece));
          decoded.push(...decoder.end());
          expect(decoded.map((e) => ({ event: e.event, data: e.data }))).toEqual(
            events.map((e) => ({ event: e.event, data: e.data.replace(/\r\n|\r/g, "\n") })),
          );
        },
      ),
      { ...RUNS, numRuns: 200 },
    );
  });

  it("refuses event names and ids that would forge fields", () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom("\n", "\r", "\r\n"), fc.string(), (a, br, b) => {
        expect(() => encodeSse({ event: `${a}${br}${b}`, data: "" })).toThrow(TypeError);
        expect(() => encodeSse({ id: `${a}${br}${b}`, data: "" })).toThrow(TypeError);
      }),
      { ...RUNS, numRuns: 50 },
    );
  });
});

/** Event names the APIs know, so arbitrary payloads reach their deeper branches. */
const KNOWN_EVENTS = [
  "message_start",
  "content_block_start",
  "content_block_delta",
  "content_block_stop",
  "message_delta",
  "message_stop",
  "ping",
  "error",
  "response.created",
  "response.output_item.added",
  "response.output_item.done",
  "response.output_text.delta",
  "response.function_call_arguments.delta",
  "response.completed",
  "response.failed",
  "response.incomplete",
  "response.reasoning_summary_text.delta",
];
const TYPES = [
  ...KNOWN_EVENTS,
  "tool_use",
  "thinking",
  "text",
  "input_json_delta",
  "thinking_delta",
  "text_delta",
  "function_call",
  "reasoning",
  "message",
];

/** JSON shaped like provider payloads, with wrong types and missing fields mixed in. */
const payload: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.jsonValue({ maxDepth: 2 }),
    fc.record(
      {
        type: fc.oneof(fc.constantFrom(...TYPES), fc.jsonValue({ maxDepth: 0 })),
        index: fc.oneof(fc.nat(3), fc.jsonValue({ maxDepth: 0 })),
        id: fc.oneof(fc.string(), fc.integer()),
        name: fc.string(),
        delta: tie("value"),
        content_block: tie("value"),
        message: tie("value"),
        response: tie("value"),
        item: tie("value"),
        usage: fc.oneof(
          fc.dictionary(
            fc.constantFrom(
              "input_tokens",
              "output_tokens",
              "prompt_tokens",
              "completion_tokens",
              "cache_read_input_tokens",
            ),
            fc.oneof(fc.integer(), fc.string()),
          ),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        choices: fc.array(tie("value"), { maxLength: 2 }),
        partial_json: fc.string(),
        arguments: fc.string(),
      },
      { requiredKeys: [] },
    ),
  ),
})).value;

const sseEvent: fc.Arbitrary<SseEvent> = fc.record({
  event: fc.option(fc.oneof(fc.constantFrom(...KNOWN_EVENTS), fc.string()), { nil: undefined }),
  data: fc.oneof(
    payload.map((p) => JSON.stringify(p) ?? "null"),
    fc.string(),
    fc.constant("[DONE]"),
  ),
});

describe("transducers never throw (INP-11)", () => {
  it("finds every API definition under core/apis", () => {
    expect(definitions.map((d) => d.name)).toContain("anthropic.messages");
  });

  for (const api of definitions) {
    it(`${api.name}: observer step and flush accept any event sequence`, () => {
      fc.assert(
        fc.property(fc.array(sseEvent, { maxLength: 25 }), (events) => {
          const observer = api.observe();
          for (const event of events) observer.step(event);
          observer.flush();
        }),
        RUNS,
      );
    });

    it(`${api.name}: the stream rewrite (if any) and blockingFacts accept anything`, () => {
      const request = { model: "m", stream: true, messages: [{ role: "user", content: "hi" }], input: "hi" };
      const raw = JSON.stringify(request);
      const facts = api.inspect(request);
      fc.assert(
        fc.property(fc.array(sseEvent, { maxLength: 25 }), payload, (events, body) => {
          api.blockingFacts(body);
          // A fresh rewrite per stream, as the pipeline makes one per request.
          const prepared = typeof facts === "string" ? null : api.prepare(raw, request, facts);
          const rewrite = prepared?.rewrite;
          if (!rewrite) return;
          for (const event of events) rewrite.step(event);
          rewrite.flush();
        }),
        RUNS,
      );
    });

    if (api.toolLoop) {
      const loop = api.toolLoop;
      it(`${api.name}: the tool-loop session accepts any event sequence and any blocking body`, () => {
        const options = {
          request: { model: "m", stream: true, messages: [] },
          injected: new Set(["causeway_srv_tool"]),
          stopNote: "stopped",
        };
        fc.assert(
          fc.property(fc.array(sseEvent, { maxLength: 25 }), payload, (events, body) => {
            const session = loop.createSession(options);
            session.beginTurn(true);
            for (const event of events) session.streamStep(event);
            session.streamEnd();
            const blocking = loop.createSession(options);
            blocking.beginTurn(true);
            blocking.blockingTurn(body);
            blocking.blockingBody();
          }),
          RUNS,
        );
      });
    }
  }
});

describe("pass-through preserves unknown fields", () => {
  const reserved = new Set([
    "model",
    "messages",
    "stream",
    "stream_options",
    "tools",
    "input",
    "max_tokens",
    "__proto__",
  ]);
  const extra = fc.dictionary(
    fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !reserved.has(k)),
    fc.jsonValue({ maxDepth: 3 }),
    { maxKeys: 5 },
  );
  const spacing = fc.constantFrom(undefined, 1, 2, "\t");
  const whole = { name: "whole", split: (b: Uint8Array) => [b] };

  it("Anthropic: the upstream body is the client's bytes, whatever fields and formatting it has", async () => {
    const base = fixtureDirCases(`${root}fixtures`).find((c) => c.id === "anthropic-messages/text")!
      .modes[0]!;
    await fc.assert(
      fc.asyncProperty(extra, spacing, fc.boolean(), async (fields, space, stream) => {
        const body = JSON.stringify(
          {
            ...fields,
            model: "claude-x",
            stream,
            max_tokens: 9,
            messages: [
              { role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" } }] },
            ],
          },
          null,
          space,
        );
        const seen = await replay("anthropic-messages", { ...base, requestBody: body }, whole);
        expect(seen.upstreamBody && new TextDecoder().decode(seen.upstreamBody)).toBe(body);
      }),
      { ...RUNS, numRuns: 60 },
    );
  });

  const OPENAI: Record<string, { request: Record<string, unknown>; sse: string }> = {
    "openai-chat": {
      request: { model: "gpt-x", stream: true, messages: [{ role: "user", content: "hi" }] },
      sse: "data: [DONE]\n\n",
    },
    "openai-responses": {
      request: { model: "gpt-x", stream: true, input: "hi" },
      sse: 'event: response.completed\ndata: {"type":"response.completed","response":{"status":"completed"}}\n\n',
    },
  };
  for (const [api, { request, sse }] of Object.entries(OPENAI)) {
    it(`${api}: every field the bridge does not own reaches the upstream unchanged`, async () => {
      const answer = {
        status: 200,
        headers: [["content-type", "text/event-stream"]] as [string, string][],
        body: new TextEncoder().encode(sse),
      };
      await fc.assert(
        fc.asyncProperty(extra, async (fields) => {
          const body = JSON.stringify({ ...fields, ...request });
          const mode = {
            mode: "streaming" as const,
            requestBody: body,
            responses: [answer],
            expectStatus: 200,
            expectClient: answer.body,
            expect: {},
          };
          const seen = await replay(api, mode, whole);
          expect(seen.status).toBe(200);
          const upstream = JSON.parse(
            new TextDecoder().decode(seen.upstreamBody ?? new Uint8Array()),
          ) as Record<string, unknown>;
          for (const [key, value] of Object.entries(fields)) expect(upstream[key]).toEqual(value);
        }),
        { ...RUNS, numRuns: 40 },
      );
    });
  }
});

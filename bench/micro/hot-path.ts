/**
 * The bridge's own CPU cost per request, in process: the real core (MemoryAuth, a recorder that
 * drops entries) against an upstream function that answers at once, so no socket, no other
 * process and no scheduler noise is in the figure. Used to profile the hot path:
 *   bun bench/micro/hot-path.ts [blocking|stream] [requests] [floor|bridge|product]
 * `product` is the bridge as `causeway serve` wires it: the auth chain (keys) and the batching SQLite audit
 * on a fresh database file (the audit writes land on this thread, inside the measured time).
 *   bun --cpu-prof-md --cpu-prof-dir=/tmp/prof bench/micro/hot-path.ts stream 20000
 * Prints µs per request (and the in-process latency percentiles) for the bridge and for a bare
 * pass-through doing the same Request and Response plumbing (the floor's share of the work).
 * Observability (bridge and product; micro/observability.ts says what each mode wires):
 *   --observer none|metrics|metrics+tracing   default none (NO_OBSERVER)
 *   --log      the one `interception` info line per request, to stderr as `causeway serve` writes it
 *   bun bench/micro/hot-path.ts blocking 20000 bridge --observer metrics+tracing --log 2>/dev/null
 * Policies (bridge and product): --policies gives the user every limit (never reached) and a model allow-list,
 * so each request is checked, reserved in the in-memory ledger and settled (docs/policies.md).
 */

import { resolveSettings } from "../../adapters/config/load.ts";
import { createApp } from "../../adapters/runtime/app.ts";
import { randomIds, systemClock } from "../../adapters/runtime/system-ports.ts";
import { openBunSqlite } from "../../adapters/store/bun-sqlite.ts";
import { hashKey, keyHint, newKey } from "../../core/auth/keys.ts";
import { createBridge } from "../../core/bridge.ts";
import { MemoryAuth } from "../../core/ports/auth.ts";
import type { Recorder } from "../../core/ports/recorder.ts";
import type { Upstream } from "../../core/ports/upstream.ts";
import { POLICIES_CONFIG } from "../lib/policies-config.ts";
import { interceptionLog, microObservability, OBSERVER_MODES, type ObserverMode } from "./observability.ts";

/** Positional arguments (mode, requests, which) apart from the observability flags. */
function parseArgs(argv: readonly string[]) {
  const positionals: string[] = [];
  let observer: ObserverMode = "none";
  let log = false;
  let policies = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--log") log = true;
    else if (arg === "--policies") policies = true;
    else if (arg === "--observer") {
      const value = argv[++i] as ObserverMode;
      if (!OBSERVER_MODES.includes(value)) throw new Error(`--observer: one of ${OBSERVER_MODES.join(", ")}`);
      observer = value;
    } else positionals.push(arg);
  }
  return { positionals, observer, log, policies };
}
const args = parseArgs(process.argv.slice(2));
const mode = args.positionals[0] === "stream" ? "stream" : "blocking";
const requests = Number(args.positionals[1] ?? 20_000);
const KEY = "bench-key";
/** The key clients send: MemoryAuth's, or a stored user's for `product`. */
let key = KEY;
const encoder = new TextEncoder();

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const usage = {
  input_tokens: 12,
  output_tokens: 20,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};
const events = [
  sse("message_start", {
    type: "message_start",
    message: { id: "msg_1", type: "message", role: "assistant", model: "m", content: [], usage },
  }),
  sse("content_block_start", {
    type: "content_block_start",
    index: 0,
    content_block: { type: "text", text: "" },
  }),
  ...Array.from({ length: 20 }, () =>
    sse("content_block_delta", {
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: "x".repeat(64) },
    }),
  ),
  sse("content_block_stop", { type: "content_block_stop", index: 0 }),
  sse("message_delta", {
    type: "message_delta",
    delta: { stop_reason: "end_turn" },
    usage: { output_tokens: 20 },
  }),
  sse("message_stop", { type: "message_stop" }),
].map((text) => encoder.encode(text));
const json = JSON.stringify({
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "m",
  content: [{ type: "text", text: "x".repeat(1280) }],
  stop_reason: "end_turn",
  usage,
});

/** Answers at once: a JSON body, or the SSE events one chunk per pull. */
const upstream: Upstream = async () => {
  if (mode === "blocking") return new Response(json, { headers: { "content-type": "application/json" } });
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = events[i++];
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
};

const noAudit: Recorder = { record() {}, async flush() {} };
const ENV = {
  CAUSEWAY_LISTEN: "127.0.0.1:0",
  ANTHROPIC_API_KEY: "sk-upstream",
  CAUSEWAY_ANTHROPIC_BASE_URL: "http://127.0.0.1:1",
};
const settings = resolveSettings(null, ENV);
const observability = await microObservability(args.observer, ENV);
const observed = {
  logger: interceptionLog(args.log),
  ...(observability.observer ? { observer: observability.observer } : {}),
};
const governance = args.policies ? resolveSettings(POLICIES_CONFIG, ENV) : null;
const bridge = createBridge(
  {
    providers: settings.providers,
    limits: settings.limits,
    ...(governance ? { policies: governance.policies, pricing: governance.pricing } : {}),
  },
  {
    auth: new MemoryAuth([[KEY, { userId: "u", name: "u", roles: [] }]]),
    recorder: noAudit,
    upstream,
    clock: systemClock,
    ids: randomIds,
    ...observed,
  },
);

const body = JSON.stringify({
  model: "claude-x",
  max_tokens: 64,
  stream: mode === "stream",
  messages: [{ role: "user", content: "hello there" }],
});
const clientRequest = () =>
  new Request("http://127.0.0.1:8080/anthropic/v1/messages", {
    method: "POST",
    // As an HTTP server hands it over: with its declared length.
    headers: {
      "content-type": "application/json",
      "content-length": String(encoder.encode(body).byteLength),
      "x-api-key": key,
      "anthropic-version": "2023-06-01",
    },
    body,
  });

/** The same plumbing without the bridge: forward a fresh Request, return the body as is. */
const floor = async (request: Request): Promise<Response> => {
  const forwarded = new Request("http://127.0.0.1:1/v1/messages", {
    method: "POST",
    headers: request.headers,
    body: await request.arrayBuffer(),
  });
  const answer = await upstream(forwarded);
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
};

/** Requests between turns of the event loop, as a server gets them between its socket reads. */
const YIELD_EVERY = 16;

/** `observed`: the bridge runs with the chosen observer, whose queued spans are exported inside the measured time. */
async function measure(
  label: string,
  handle: (request: Request) => Promise<Response>,
  observed = false,
): Promise<void> {
  const times: number[] = [];
  const run = async (n: number, record: boolean) => {
    for (let i = 0; i < n; i++) {
      // Every request here settles in microtasks: without a turn of the event loop, timers and
      // socket replies (the audit's batch timer, the span exporter's POST) would never run.
      if (i % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      const began = performance.now();
      const response = await handle(clientRequest());
      const bytes = await response.arrayBuffer();
      if (record) times.push(performance.now() - began);
      if (response.status !== 200 || bytes.byteLength === 0) throw new Error(`${label}: ${response.status}`);
    }
  };
  await run(Math.min(2000, requests), false);
  Bun.gc(true);
  const spansBefore = observed ? await observability.exportedSpans() : null;
  const started = performance.now();
  await run(requests, true);
  if (observed) await observability.flush();
  const us = ((performance.now() - started) * 1000) / requests;
  const spansAfter = observed ? await observability.exportedSpans() : null;
  times.sort((a, b) => a - b);
  const at = (p: number) =>
    ((times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? 0) * 1000).toFixed(0);
  const how = observed
    ? ` [${args.observer}${args.log ? ", log" : ""}${args.policies ? ", policies" : ""}]`
    : "";
  // Spans exported inside the measured time: about two per request means none were dropped or left out.
  const spans =
    spansBefore !== null && spansAfter !== null ? `, ${spansAfter - spansBefore} spans exported` : "";
  console.log(
    `${label.padEnd(8)} ${mode.padEnd(8)}${how} ${us.toFixed(1)} µs/request, p50 ${at(50)} µs, p99 ${at(99)} µs, p99.9 ${at(99.9)} µs (${requests} requests${spans})`,
  );
}

/** The floor plus one pull-based wrapper stream, the shape every relaying bridge needs. */
const floorWrapped = async (request: Request): Promise<Response> => {
  const answer = await floor(request);
  const reader = answer.body!.getReader();
  const wrapped = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
  });
  return new Response(wrapped, { status: answer.status, headers: answer.headers });
};
const only = args.positionals[2] ?? null;
if (only === null || only === "floor") await measure("floor", floor);
if (only === null || only === "bridge") await measure("bridge", (request) => bridge.handle(request), true);
if (only === "product") {
  const db = `${process.env.TMPDIR ?? "/tmp"}/causeway-micro-${process.pid}.db`;
  const app = await createApp({
    settings: { ...(governance ?? settings), audit: { ...settings.audit, spoolPath: `${db}.spool` } },
    sql: openBunSqlite(db),
    upstream,
    ...observed,
  });
  const token = newKey(crypto.getRandomValues(new Uint8Array(32)));
  await app.store.users.createUser(
    { id: "usr_micro", name: "micro", isAdmin: false },
    { hash: await hashKey(token), prefix: keyHint(token), expiresAt: null, models: [] },
    Date.now(),
  );
  key = token;
  await measure("product", (request) => app.bridge.handle(request), true);
  await app.close();
}
if (mode === "stream" && only === null) await measure("wrapped", floorWrapped);
await observability.close();

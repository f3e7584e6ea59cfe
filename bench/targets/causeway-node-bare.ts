/**
 * Causeway on Node with auth and audit off: the real core and the repository's Node runtime
 * shell (node:http + @hono/node-server, undici upstream), but MemoryAuth and a no-op recorder.
 * Used when `causeway serve` on Node cannot run as users run it here: Node 20 has no node:sqlite,
 * so the Node adapter needs PostgreSQL for its store. Bundled for Node by the benchmark.
 * Usage: BENCH_UPSTREAM=http://127.0.0.1:PORT node .tmp/bench/causeway-node-bare.mjs
 */
import { resolveSettings } from "../../adapters/config/load.ts";
import { nodeRuntime } from "../../adapters/node/runtime.ts";
import { randomIds, systemClock } from "../../adapters/runtime/system-ports.ts";
import { createBridge } from "../../core/bridge.ts";
import { MemoryAuth } from "../../core/ports/auth.ts";
import type { Recorder } from "../../core/ports/recorder.ts";

const KEY = "bench-bare-key";
const upstream = process.env.BENCH_UPSTREAM;
if (!upstream) throw new Error("BENCH_UPSTREAM is required");

const settings = resolveSettings(null, {
  CAUSEWAY_LISTEN: "127.0.0.1:0",
  ANTHROPIC_API_KEY: "sk-bench-anthropic",
  CAUSEWAY_ANTHROPIC_BASE_URL: upstream,
  OPENAI_API_KEY: "sk-bench-openai",
  CAUSEWAY_OPENAI_BASE_URL: upstream,
});
const noAudit: Recorder = { record() {}, async flush() {} };
const bridge = createBridge(
  { providers: settings.providers, limits: settings.limits },
  {
    auth: new MemoryAuth([[KEY, { userId: "u_bench", name: "bench", roles: [] }]]),
    recorder: noAudit,
    upstream: nodeRuntime.upstream,
    clock: systemClock,
    ids: randomIds,
  },
);
const server = await nodeRuntime.serve((request) => bridge.handle(request), settings);
process.stdout.write(`${JSON.stringify({ listening: server.url })}\n`);

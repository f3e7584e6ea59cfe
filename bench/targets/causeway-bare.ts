/**
 * Causeway with auth and audit off: the real core and the real Bun runtime shell, but MemoryAuth
 * (one fixed key) instead of the SQLite-backed StoreAuth and a recorder that drops every entry.
 * Shows what auth + audit cost. Benchmark-only; the product always has both on.
 * Usage: BENCH_UPSTREAM=http://127.0.0.1:PORT bun bench/targets/causeway-bare.ts
 */

import { bunRuntime } from "../../adapters/bun/runtime.ts";
import { resolveSettings } from "../../adapters/config/load.ts";
import { randomIds, systemClock } from "../../adapters/runtime/system-ports.ts";
import { createBridge } from "../../core/bridge.ts";
import { MemoryAuth } from "../../core/ports/auth.ts";
import type { Recorder } from "../../core/ports/recorder.ts";

export const BARE_KEY = "bench-bare-key";

const upstream = process.env.BENCH_UPSTREAM;
if (!upstream) throw new Error("BENCH_UPSTREAM is required");

const settings = resolveSettings(null, {
  CAUSEWAY_LISTEN: "127.0.0.1:0",
  ANTHROPIC_API_KEY: "sk-bench-anthropic",
  CAUSEWAY_ANTHROPIC_BASE_URL: upstream,
  OPENAI_API_KEY: "sk-bench-openai",
  CAUSEWAY_OPENAI_BASE_URL: upstream,
});

const noAudit: Recorder = {
  record() {},
  async flush() {},
};

const bridge = createBridge(
  { providers: settings.providers, limits: settings.limits },
  {
    auth: new MemoryAuth([[BARE_KEY, { userId: "u_bench", name: "bench", roles: [] }]]),
    recorder: noAudit,
    upstream: bunRuntime.upstream,
    clock: systemClock,
    ids: randomIds,
  },
);
const server = await bunRuntime.serve((request) => bridge.handle(request), settings);
process.stdout.write(`${JSON.stringify({ listening: server.url })}\n`);

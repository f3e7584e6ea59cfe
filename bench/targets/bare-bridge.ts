/**
 * Causeway with auth and audit off, on a given runtime shell: the real core, but MemoryAuth (one
 * fixed key) instead of the store-backed auth chain and a recorder that drops every entry. Shows
 * what auth + audit cost. Benchmark-only; the product always has both on.
 */
import { resolveSettings } from "../../adapters/config/load.ts";
import type { Runtime } from "../../adapters/runtime/runtime.ts";
import { jsonLogger, randomIds, systemClock } from "../../adapters/runtime/system-ports.ts";
import { createBridge } from "../../core/bridge.ts";
import { MemoryAuth } from "../../core/ports/auth.ts";
import type { Recorder } from "../../core/ports/recorder.ts";

export const BARE_KEY = "bench-bare-key";

const noAudit: Recorder = { record() {}, async flush() {} };

/** Serves the bare bridge against BENCH_UPSTREAM and prints `{"listening": url}` for the harness. */
export async function serveBareBridge(runtime: Runtime): Promise<void> {
  const upstream = process.env.BENCH_UPSTREAM;
  if (!upstream) throw new Error("BENCH_UPSTREAM is required");
  const settings = resolveSettings(null, {
    CAUSEWAY_LISTEN: "127.0.0.1:0",
    ANTHROPIC_API_KEY: "sk-bench-anthropic",
    CAUSEWAY_ANTHROPIC_BASE_URL: upstream,
    OPENAI_API_KEY: "sk-bench-openai",
    CAUSEWAY_OPENAI_BASE_URL: upstream,
  });
  const bridge = createBridge(
    { providers: settings.providers, limits: settings.limits },
    {
      auth: new MemoryAuth([[BARE_KEY, { userId: "u_bench", name: "bench", roles: [] }]]),
      recorder: noAudit,
      upstream: runtime.upstream,
      clock: systemClock,
      ids: randomIds,
    },
  );
  const server = await runtime.serve((request) => bridge.handle(request), settings, jsonLogger());
  process.stdout.write(`${JSON.stringify({ listening: server.url })}\n`);
}

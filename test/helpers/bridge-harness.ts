import { createBridge } from "../../core/bridge.ts";
import { type BridgeConfig, DEFAULT_LIMITS, type Limits, type ProviderConfig } from "../../core/config.ts";
import { MemoryAuth, type Principal } from "../../core/ports/auth.ts";
import { ManualClock } from "../../core/ports/clock.ts";
import { SequentialIds } from "../../core/ports/ids.ts";
import type { Logger } from "../../core/ports/logger.ts";
import type { Observer } from "../../core/ports/observer.ts";
import { MemoryRecorder } from "../../core/ports/recorder.ts";
import type { ToolProvider } from "../../core/ports/tool-provider.ts";
import type { Upstream } from "../../core/ports/upstream.ts";
import type { UsageLedger } from "../../core/ports/usage-ledger.ts";

export const USER_KEY = "cw_test_alice_key";
export const ENTERPRISE_ANTHROPIC_KEY = "sk-ant-enterprise-CANARY-a1";
export const ENTERPRISE_OPENAI_KEY = "sk-openai-enterprise-CANARY-o1";

/** A bridge on in-memory ports, with every upstream request captured. */
export function bridgeHarness(
  upstream: Upstream,
  limits: Partial<Limits> = {},
  extra: {
    tools?: ToolProvider;
    logger?: Logger;
    observer?: Observer;
    metricsPage?: () => Promise<Response>;
    /** Settings of the two provider instances beyond name, kind, base URL and key (e.g. `telemetry`). */
    anthropic?: Partial<ProviderConfig>;
    openai?: Partial<ProviderConfig>;
    /** Policies, pricing and load shedding (core/policy/). */
    governance?: Pick<BridgeConfig, "policies" | "pricing" | "maxInflight">;
    usageLedger?: UsageLedger;
    /** Who `USER_KEY` authenticates as (default: alice, user id u1, no groups). */
    principal?: Principal;
  } = {},
) {
  const auth = new MemoryAuth([[USER_KEY, extra.principal ?? { userId: "u1", name: "alice", roles: [] }]]);
  const recorder = new MemoryRecorder();
  const clock = new ManualClock();
  const seen: Request[] = [];
  const config: BridgeConfig = {
    providers: [
      {
        name: "anthropic",
        kind: "anthropic",
        baseUrl: "http://upstream.test",
        apiKey: ENTERPRISE_ANTHROPIC_KEY,
        ...extra.anthropic,
      },
      {
        name: "openai",
        kind: "openai",
        baseUrl: "http://upstream.test",
        apiKey: ENTERPRISE_OPENAI_KEY,
        ...extra.openai,
      },
    ],
    limits: { ...DEFAULT_LIMITS, ...limits },
    ...extra.governance,
  };
  const bridge = createBridge(config, {
    auth,
    recorder,
    clock,
    ids: new SequentialIds(),
    ...(extra.tools ? { tools: extra.tools } : {}),
    ...(extra.logger ? { logger: extra.logger } : {}),
    ...(extra.observer ? { observer: extra.observer } : {}),
    ...(extra.metricsPage ? { metricsPage: extra.metricsPage } : {}),
    ...(extra.usageLedger ? { usageLedger: extra.usageLedger } : {}),
    upstream: async (request) => {
      seen.push(request.clone());
      return upstream(request);
    },
  });
  return { bridge, auth, recorder, clock, seen, config };
}

export function sseResponse(body: string | ReadableStream<Uint8Array>, init: ResponseInit = {}): Response {
  return new Response(body, {
    status: 200,
    ...init,
    headers: { "content-type": "text/event-stream", ...init.headers },
  });
}

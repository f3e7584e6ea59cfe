import type { ApiDefinition } from "../../../core/apis/api-definition.ts";
import { DEFAULT_LIMITS } from "../../../core/config.ts";
import { ResponseHeaderPolicy } from "../../../core/http/response-headers.ts";
import { RequestTiming } from "../../../core/http/server-timing.ts";
import type { ProxyContext } from "../../../core/pipeline/context.ts";
import { intercept } from "../../../core/pipeline/intercept.ts";
import { MemoryAuth } from "../../../core/ports/auth.ts";
import { ManualClock } from "../../../core/ports/clock.ts";
import { silentLogger } from "../../../core/ports/logger.ts";
import { NO_OBSERVER } from "../../../core/ports/observer.ts";
import { MemoryRecorder } from "../../../core/ports/recorder.ts";
import type { ToolProvider } from "../../../core/ports/tool-provider.ts";
import type { Upstream } from "../../../core/ports/upstream.ts";
import { anthropicProfile } from "../../../core/providers/anthropic.ts";
import { openaiProfile } from "../../../core/providers/openai.ts";
import { UpstreamState } from "../../../core/resilience/upstream-state.ts";

/**
 * Runs the interception pipeline for an API definition the router does not (yet) serve with a
 * tool loop: the OpenAI APIs get theirs once their index.ts registers it. Same ports as the bridge.
 */
export function apiHarness(
  api: ApiDefinition,
  path: string,
  tools: ToolProvider,
  upstream: Upstream,
  kind: "anthropic" | "openai" = "openai",
) {
  const recorder = new MemoryRecorder();
  const clock = new ManualClock();
  const seen: Request[] = [];
  let n = 0;
  const run = (body: object): Promise<Response> =>
    handle(
      new Request(`http://bridge.test/${kind}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
  const provider = { name: kind, kind, baseUrl: "http://upstream.test", apiKey: "sk-provider-test" } as const;
  const handle = async (request: Request): Promise<Response> => {
    const context: ProxyContext = {
      config: { providers: [], limits: DEFAULT_LIMITS },
      ports: {
        auth: new MemoryAuth(),
        recorder,
        clock,
        ids: { interceptionId: () => `int_${++n}` },
        tools,
        upstream: async (r) => {
          seen.push(r.clone());
          return upstream(r);
        },
      },
      logger: silentLogger,
      observer: NO_OBSERVER,
      requestId: `int_${++n}`,
      timing: new RequestTiming(clock),
      request,
      search: new URL(request.url).search,
      responseHeaders: new ResponseHeaderPolicy([], [provider.apiKey]),
      provider,
      upstream: new UpstreamState(provider, clock),
      profile: kind === "openai" ? openaiProfile : anthropicProfile,
      path,
      principal: { userId: "u1", name: "alice", roles: [] },
      policies: null,
      hops: 0,
      track: () => () => {},
    };
    return intercept(context, api);
  };
  return { run, handle, recorder, seen, clock };
}

import { renderOpenAIError } from "./apis/openai-shared/errors.ts";
import type { BridgeConfig, BridgePorts } from "./config.ts";
import { type GatewayError, gatewayError } from "./errors.ts";
import { extractCredential, HOP_COUNT_HEADER, REQUEST_ID_HEADER } from "./http/headers.ts";
import { requestTarget } from "./http/request-target.ts";
import type { ProxyContext } from "./pipeline/context.ts";
import { intercept } from "./pipeline/intercept.ts";
import { passthrough } from "./pipeline/passthrough.ts";
import { errorResponse } from "./pipeline/respond.ts";
import { silentLogger } from "./ports/logger.ts";
import type { ProviderProfile } from "./providers/provider-profile.ts";
import type { BreakerState } from "./resilience/circuit-breaker.ts";
import { UpstreamState } from "./resilience/upstream-state.ts";
import { createRouter } from "./router.ts";

export interface Bridge {
  /** The whole bridge as a Fetch handler: mount it on any runtime's server. */
  handle(request: Request): Promise<Response>;
  /** Stops taking new proxied requests (503); in-flight ones continue. */
  drain(): void;
  /** Ends every in-flight exchange now (in-band error for streams); for the end of a shutdown. */
  abortAll(): void;
  /** Exchanges with the upstream still open. */
  readonly inFlight: number;
  /** Every provider × model circuit breaker's state (for metrics and operators). */
  breakerStates(): { provider: string; model: string; state: BreakerState }[];
}

/** The one answer to every refused credential: the reason would only help an attacker. */
const INVALID_CREDENTIAL = "Invalid or missing API key.";

/** Query parameters some clients use for keys; refused so the key never lands in access logs. */
const QUERY_CREDENTIALS = ["api_key", "key", "access_token"];

export function createBridge(config: BridgeConfig, ports: BridgePorts): Bridge {
  const route = createRouter(config);
  // Key pools and breakers live as long as the bridge: they remember across requests.
  const upstreams = new Map(
    config.providers.map((p) => [p.name, new UpstreamState(p, ports.clock)] as const),
  );
  const logger = ports.logger ?? silentLogger;
  const active = new Set<() => void>();
  let draining = false;

  const track = (abort: () => void): (() => void) => {
    active.add(abort);
    return () => active.delete(abort);
  };

  async function handle(request: Request): Promise<Response> {
    const requestId = ports.ids.interceptionId();
    const { pathname, search } = requestTarget(request.url);
    const target = route(request.method, pathname);
    if (target.kind === "health") {
      return Response.json(
        { status: draining ? "draining" : "ok" },
        { headers: { [REQUEST_ID_HEADER]: requestId } },
      );
    }
    if (target.kind === "not-found") {
      return errorResponse(gatewayError("not_found", "Not found."), renderOpenAIError, requestId);
    }
    const { profile } = target;
    const fail = (error: GatewayError): Response => errorResponse(error, profile.renderError, requestId);
    if (target.match === null)
      return fail(gatewayError("not_found", `No route for ${request.method} ${target.path}.`));
    if (search !== "" && hasQueryCredential(search)) {
      return fail(gatewayError("invalid_request", "Credentials are not accepted in the query string."));
    }
    const hops = Number(request.headers.get(HOP_COUNT_HEADER) ?? "0") || 0;
    if (hops >= config.limits.maxHops) return fail(gatewayError("loop_detected", "Request loop detected."));
    if (draining) return fail(gatewayError("unavailable", "The bridge is shutting down."));
    // The audit of a new interception could not be kept: refuse it before any work (Retry-After).
    if (target.match.kind === "intercept" && ports.recorder.accepting?.() === false)
      return fail(gatewayError("unavailable", "Audit logging is temporarily unavailable."));

    const credential = extractCredential(request.headers);
    if (credential === null) return fail(gatewayError("authentication", INVALID_CREDENTIAL));
    let principal: Awaited<ReturnType<typeof ports.auth.authenticate>>;
    try {
      principal = await ports.auth.authenticate(credential);
    } catch (error) {
      // The store or an identity provider did not answer: 503 with retry-after, never a 401
      // (which would send the developer to log in again) and never a pass.
      logger.error("authentication unavailable", { requestId, reason: describe(error) });
      return fail(gatewayError("unavailable", "Authentication is temporarily unavailable."));
    }
    if (principal === null) return fail(gatewayError("authentication", INVALID_CREDENTIAL));
    // Answered by the bridge (e.g. dropped client telemetry): authenticated, never forwarded.
    if (target.match.kind === "local") return target.match.respond(requestId);

    const context: ProxyContext = {
      config,
      ports,
      logger,
      requestId,
      request,
      search,
      provider: target.provider,
      upstream: upstreams.get(target.provider.name)!,
      profile,
      path: target.path,
      principal,
      hops,
      track,
    };
    try {
      return target.match.kind === "intercept"
        ? await intercept(context, target.match.api)
        : await passthrough(context);
    } catch (error) {
      logger.error("unexpected failure", { requestId, error: describe(error) });
      return fail(gatewayError("api_error", "Internal error."));
    }
  }

  return {
    handle,
    drain() {
      draining = true;
    },
    abortAll() {
      for (const abort of [...active]) abort();
    },
    get inFlight() {
      return active.size;
    },
    breakerStates() {
      return [...upstreams.values()].flatMap(
        (upstream) =>
          upstream.breakers?.states().map((breaker) => ({ provider: upstream.provider.name, ...breaker })) ??
          [],
      );
    },
  };
}

function hasQueryCredential(search: string): boolean {
  const params = new URLSearchParams(search);
  return QUERY_CREDENTIALS.some((name) => params.has(name));
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export type { ProviderProfile };

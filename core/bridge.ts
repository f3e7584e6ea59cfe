import { renderOpenAIError } from "./apis/openai-shared/errors.ts";
import type { BridgeConfig, BridgePorts } from "./config.ts";
import { type GatewayError, gatewayError } from "./errors.ts";
import { extractCredential, HOP_COUNT_HEADER, REQUEST_ID_HEADER } from "./http/headers.ts";
import { FORWARDED_QUERY, forwardedQuery } from "./http/query.ts";
import { isSafePath, isValidHost, requestTarget } from "./http/request-target.ts";
import { ResponseHeaderPolicy } from "./http/response-headers.ts";
import { RequestTiming, withTiming } from "./http/server-timing.ts";
import type { ProxyContext } from "./pipeline/context.ts";
import { intercept } from "./pipeline/intercept.ts";
import { passthrough } from "./pipeline/passthrough.ts";
import { errorResponse } from "./pipeline/respond.ts";
import { type InflightSlot, InflightSlots } from "./policy/inflight-slots.ts";
import { hasPolicies } from "./policy/policy.ts";
import { PolicyGate } from "./policy/policy-gate.ts";
import { Pricing } from "./policy/pricing.ts";
import type { Principal } from "./ports/auth.ts";
import { silentLogger, throttledLine } from "./ports/logger.ts";
import { NO_OBSERVER } from "./ports/observer.ts";
import { MemoryUsageLedger } from "./ports/usage-ledger.ts";
import type { ProviderProfile } from "./providers/provider-profile.ts";
import type { BreakerState } from "./resilience/circuit-breaker.ts";
import { UpstreamState } from "./resilience/upstream-state.ts";
import { createRouter, type Route } from "./router.ts";

/** A request routed to one of a provider instance's routes. */
type ProviderTarget = Extract<Route, { kind: "provider" }> & {
  readonly match: NonNullable<Extract<Route, { kind: "provider" }>["match"]>;
};

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

/** Where a proxied request goes, as the checks before authentication resolved it. */
interface Routed {
  readonly pathname: string;
  readonly target: ProviderTarget;
  readonly instance: Instance;
  /** The query as forwarded. */
  readonly search: string;
  readonly hops: number;
}

/** What the bridge keeps per provider instance. */
interface Instance {
  readonly upstream: UpstreamState;
  readonly query: ReadonlySet<string>;
  readonly headers: ResponseHeaderPolicy;
}

/** The one answer to every refused credential: the reason would only help an attacker. */
const INVALID_CREDENTIAL = "Invalid or missing API key.";

export function createBridge(config: BridgeConfig, ports: BridgePorts): Bridge {
  const route = createRouter(config);
  // Per instance, for the bridge's life: the key pool and breakers (they remember across
  // requests), and what it lets through (query parameters, response headers), compiled once.
  const instances = new Map<string, Instance>(
    config.providers.map((p) => {
      const upstream = new UpstreamState(p, ports.clock);
      const query = p.forwardQuery?.length
        ? new Set([...FORWARDED_QUERY, ...p.forwardQuery])
        : FORWARDED_QUERY;
      const headers = new ResponseHeaderPolicy(p.relayHeaders ?? [], p.apiKeys ?? [p.apiKey]);
      return [p.name, { upstream, query, headers }] as const;
    }),
  );
  const logger = ports.logger ?? silentLogger;
  const observer = ports.observer ?? NO_OBSERVER;
  // During an identity-provider outage every request would log it: once per 10 s, with a count.
  const authUnavailable = throttledLine((m, f) => logger.error(m, f), ports.clock, 10_000);
  // Only when some policy sets something: otherwise requests never reach the gate.
  const policies =
    config.policies && hasPolicies(config.policies)
      ? new PolicyGate(
          config.policies,
          new Pricing(config.pricing ?? []),
          ports.usageLedger ?? new MemoryUsageLedger(),
          ports.clock,
          logger,
        )
      : null;
  const slots = config.maxInflight === undefined ? null : new InflightSlots(config.maxInflight);
  const shed = throttledLine((m, f) => logger.warn(m, f), ports.clock, 10_000);
  const active = new Set<() => void>();
  let draining = false;

  const track = (abort: () => void): (() => void) => {
    active.add(abort);
    return () => active.delete(abort);
  };

  /** Every response leaves with the request id and a `Server-Timing` header, streams included. */
  async function handle(request: Request): Promise<Response> {
    const timing = new RequestTiming(ports.clock);
    const requestId = ports.ids.interceptionId();
    return withTiming(await respond(request, requestId, timing), requestId, timing);
  }

  /**
   * The credential's principal, or the response that refuses it: 401 without an acceptable one,
   * 503 when what vouches for credentials cannot answer.
   */
  async function authenticate(
    request: Request,
    requestId: string,
    pathname: string,
    fail: (error: GatewayError) => Response,
  ): Promise<Principal | Response> {
    const refuse = (reason: string): Response => {
      // One line per refusal, for the operator: never the credential, nor anything derived from it.
      logger.warn("authentication refused", { requestId, reason, method: request.method, path: pathname });
      observer.authentication({ outcome: "refused", method: null });
      return fail(gatewayError("authentication", INVALID_CREDENTIAL));
    };
    const credential = extractCredential(request.headers);
    if (credential === null) return refuse("no credential");
    let principal: Principal | null;
    try {
      principal = await ports.auth.authenticate(credential);
    } catch (error) {
      // The store or an identity provider did not answer: 503 with retry-after, never a 401
      // (which would send the developer to log in again) and never a pass.
      authUnavailable("authentication unavailable", { requestId, reason: describe(error) });
      observer.authentication({ outcome: "unavailable", method: null });
      return fail(gatewayError("unavailable", "Authentication is temporarily unavailable."));
    }
    if (principal === null) return refuse("credential not accepted");
    observer.authentication({ outcome: "accepted", method: principal.auth?.method ?? null });
    return principal;
  }

  async function respond(request: Request, requestId: string, timing: RequestTiming): Promise<Response> {
    const { pathname, search, badHost } = requestTarget(request.url);
    const target = route(request.method, pathname);
    if (target.kind === "health") {
      return Response.json(
        { status: draining ? "draining" : "ok" },
        { headers: { [REQUEST_ID_HEADER]: requestId } },
      );
    }
    const render = target.kind === "provider" ? target.profile.renderError : renderOpenAIError;
    const fail = (error: GatewayError): Response => errorResponse(error, render, requestId);
    if (badHost || !isValidHost(request.headers.get("host"))) return fail(BAD_HOST);
    if (target.kind === "metrics" && ports.metricsPage) {
      const principal = await authenticate(request, requestId, pathname, fail);
      if (principal instanceof Response) return principal;
      if (!principal.roles.includes("admin"))
        return fail(gatewayError("permission", "Metrics are for administrators."));
      return ports.metricsPage();
    }
    if (target.kind !== "provider") return fail(gatewayError("not_found", "Not found."));
    if (target.match === null)
      return fail(gatewayError("not_found", `No route for ${request.method} ${target.path}.`));
    if (!isSafePath(target.path)) return fail(BAD_PATH);
    const instance = instances.get(target.provider.name)!;
    const query = forwardedQuery(search, instance.query);
    if (!query.ok) return fail(QUERY_CREDENTIAL);
    const hops = hopCount(request.headers.get(HOP_COUNT_HEADER));
    if (hops === null) return fail(BAD_HOPS);
    if (hops >= config.limits.maxHops) return fail(gatewayError("loop_detected", "Request loop detected."));
    if (draining) return fail(gatewayError("unavailable", "The bridge is shutting down."));
    // The audit of a new interception could not be kept: refuse it before any work (Retry-After).
    if (target.match.kind === "intercept" && ports.recorder.accepting?.() === false)
      return fail(gatewayError("unavailable", "Audit logging is temporarily unavailable."));
    // Load shedding, before any work on the request (authentication may query the store).
    const slot = slots?.take();
    if (slot === null) {
      shed("at max_inflight: requests refused", { max_inflight: slots!.max });
      return errorResponse(AT_CAPACITY, render, requestId, { "retry-after": "1" });
    }
    try {
      // `match` was checked non-null above; the cast only carries that into `proxy`.
      const routed: Routed = {
        pathname,
        target: target as ProviderTarget,
        instance,
        search: query.search,
        hops,
      };
      return await proxy(request, requestId, timing, routed, fail, slot);
    } finally {
      slot?.release();
    }
  }

  async function proxy(
    request: Request,
    requestId: string,
    timing: RequestTiming,
    { pathname, target, instance, search, hops }: Routed,
    fail: (error: GatewayError) => Response,
    slot: InflightSlot | undefined,
  ): Promise<Response> {
    const principal = await authenticate(request, requestId, pathname, fail);
    if (principal instanceof Response) return principal;
    // Answered by the bridge (e.g. dropped client telemetry): authenticated, never forwarded.
    if (target.match.kind === "local") return target.match.respond(requestId);

    const context: ProxyContext = {
      config,
      ports,
      logger,
      observer,
      requestId,
      timing,
      request,
      search,
      responseHeaders: instance.headers,
      provider: target.provider,
      upstream: instance.upstream,
      profile: target.profile,
      path: target.path,
      principal,
      policies,
      hops,
      // A stream outlives its handler: its exchange holds the request's slot until it ends.
      track: slot
        ? (abort) => {
            const untrack = track(abort);
            const release = slot.hold();
            return () => {
              untrack();
              release();
            };
          }
        : track,
    };
    try {
      return target.match.kind === "intercept"
        ? await intercept(context, target.match.api)
        : await passthrough(context, target.match.route);
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
      return [...instances.values()].flatMap(
        ({ upstream }) =>
          upstream.breakers?.states().map((breaker) => ({ provider: upstream.provider.name, ...breaker })) ??
          [],
      );
    },
  };
}

const AT_CAPACITY = gatewayError("unavailable", "The bridge is at capacity; try again in a moment.");
const BAD_HOST = gatewayError("invalid_request", "The Host header is missing or not valid.");
const BAD_PATH = gatewayError(
  "invalid_request",
  "The request path holds an escaped separator, dot segment or control character.",
);
const QUERY_CREDENTIAL = gatewayError("invalid_request", "Credentials are not accepted in the query string.");
const BAD_HOPS = gatewayError("invalid_request", `${HOP_COUNT_HEADER} must be a small non-negative integer.`);

/**
 * The hops a request has already made: the header the bridge itself sets upstream, so a value it
 * could not have written (not 1–3 plain digits: `-1`, `1e308`, `-Infinity`, `0x1`) is refused.
 */
function hopCount(header: string | null): number | null {
  if (header === null) return 0;
  return /^\d{1,3}$/.test(header) ? Number(header) : null;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export type { ProviderProfile };

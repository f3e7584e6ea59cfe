/**
 * The part of an embedding that is the same on every runtime: the Causeway core, built from your
 * configuration and your ports, mounted under a path prefix of your own server.
 * Used by bun-server.ts, node-server.ts and deno-server.ts beside this file (see docs/embedding.md).
 */
import { randomIds, systemClock } from "../../adapters/runtime/system-ports.ts";
import { type Bridge, createBridge } from "../../core/bridge.ts";
import { DEFAULT_LIMITS } from "../../core/config.ts";
import type { Auth } from "../../core/ports/auth.ts";
import { MemoryRecorder } from "../../core/ports/recorder.ts";
import type { Upstream } from "../../core/ports/upstream.ts";

export interface EmbeddedBridge {
  readonly bridge: Bridge;
  /** Where this example keeps the audit; a real host writes it to its own store. */
  readonly audit: MemoryRecorder;
}

/**
 * Builds the bridge. Auth is yours: here one key from the environment maps to one user; in a real
 * host it checks your own sessions or keys, and throws if its store is down (the bridge then
 * answers 503). The upstream is the runtime's fetch, or any function from Request to Response.
 */
export function createEmbeddedBridge(
  env: Record<string, string | undefined>,
  upstream: Upstream = (request) => fetch(request),
): EmbeddedBridge {
  const userKey = env.EXAMPLE_USER_KEY;
  const auth: Auth = {
    async authenticate(credential) {
      return userKey && credential === userKey ? { userId: "u-1", name: "example-user", roles: [] } : null;
    },
  };
  const audit = new MemoryRecorder();
  const bridge = createBridge(
    {
      providers: [
        {
          name: "anthropic",
          kind: "anthropic",
          baseUrl: env.CAUSEWAY_ANTHROPIC_BASE_URL ?? "https://api.anthropic.com",
          apiKey: env.ANTHROPIC_API_KEY ?? "",
        },
      ],
      limits: { ...DEFAULT_LIMITS, maxBodyBytes: 8 * 1024 * 1024 },
    },
    { auth, recorder: audit, upstream, clock: systemClock, ids: randomIds },
  );
  return { bridge, audit };
}

/**
 * Mounts the bridge under `prefix` (e.g. "/ai"): clients then use `http://HOST/ai/anthropic` as
 * their base URL. Returns null for paths outside the prefix so the host's own routes answer them.
 */
export function mountBridge(prefix: string, bridge: Bridge): (request: Request) => Promise<Response> | null {
  return (request) => {
    const url = new URL(request.url);
    if (!url.pathname.startsWith(`${prefix}/`)) return null;
    url.pathname = url.pathname.slice(prefix.length);
    // Same method, headers, body and abort signal: only the path changes.
    return bridge.handle(new Request(url, request));
  };
}

/** The host's own routes in these examples: a home page and a count of audited requests. */
export function hostRoutes(request: Request, audit: MemoryRecorder): Response {
  const { pathname } = new URL(request.url);
  if (pathname === "/") return new Response("my app\n");
  if (pathname === "/audit")
    return Response.json({
      interceptions: audit.entries.filter((e) => e.kind === "interception-start").length,
    });
  return new Response("not found\n", { status: 404 });
}

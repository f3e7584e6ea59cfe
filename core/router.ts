import type { BridgeConfig, ProviderConfig } from "./config.ts";
import { PROFILES } from "./providers/index.ts";
import type { ProviderProfile, RouteMatch } from "./providers/provider-profile.ts";

export type Route =
  | { readonly kind: "health" }
  /** `GET /metrics`: the bridge's own metrics, for admins (served only when configured). */
  | { readonly kind: "metrics" }
  | {
      readonly kind: "provider";
      readonly provider: ProviderConfig;
      readonly profile: ProviderProfile;
      readonly path: string;
      /** null: no such route under this provider (404 in its shape). */
      readonly match: RouteMatch | null;
    }
  | { readonly kind: "not-found" };

/**
 * Maps a request to a route from the URL path alone. The path is matched exactly as parsed
 * (no trailing-slash, case or double-slash leniency), so the authorisation decision and the
 * dispatch decision can never disagree.
 */
export function createRouter(config: BridgeConfig): (method: string, pathname: string) => Route {
  const providers = new Map(config.providers.map((p) => [p.name, p] as const));
  return (method, pathname) => {
    if (pathname === "/healthz" && (method === "GET" || method === "HEAD")) return { kind: "health" };
    if (pathname === "/metrics" && method === "GET") return { kind: "metrics" };
    const slash = pathname.indexOf("/", 1);
    if (slash < 0) return { kind: "not-found" };
    const provider = providers.get(pathname.slice(1, slash));
    if (!provider) return { kind: "not-found" };
    const profile = PROFILES[provider.kind];
    const path = pathname.slice(slash);
    return { kind: "provider", provider, profile, path, match: profile.match(method, path, provider) };
  };
}

import type { ApiDefinition } from "../apis/api-definition.ts";
import type { ProviderConfig } from "../config.ts";
import type { ErrorRenderer } from "../errors.ts";

export type RouteMatch =
  | { readonly kind: "intercept"; readonly api: ApiDefinition }
  /** `route`: the path as a template (`/v1/models/{id}`), a bounded name for metrics. */
  | { readonly kind: "passthrough"; readonly route: string }
  /** Answered by the bridge itself after authentication; the upstream is never called. */
  | { readonly kind: "local"; respond(requestId: string): Response };

/** What differs between provider kinds: routes, where the key goes, the error shape. */
export interface ProviderProfile {
  /**
   * Matches a path after the provider prefix (e.g. `/v1/messages`); null: 404. `provider` is the
   * instance the request is for, for routes its settings decide (e.g. `telemetry`).
   */
  match(method: string, path: string, provider: ProviderConfig): RouteMatch | null;
  /** Puts the enterprise key on upstream headers, the way this provider expects it. */
  applyKey(headers: Headers, apiKey: string): void;
  readonly renderError: ErrorRenderer;
}

/** `/v1/models` or `/v1/models/<id>` (ids may hold slashes, e.g. fine-tune names). */
export function isModelsPath(path: string): boolean {
  return path === "/v1/models" || (path.startsWith("/v1/models/") && path.length > "/v1/models/".length);
}

export const MODELS_LIST: RouteMatch = { kind: "passthrough", route: "/v1/models" };
export const MODELS_ITEM: RouteMatch = { kind: "passthrough", route: "/v1/models/{id}" };

/** The passthrough match for a path `isModelsPath` accepted. */
export function modelsRoute(path: string): RouteMatch {
  return path === "/v1/models" ? MODELS_LIST : MODELS_ITEM;
}

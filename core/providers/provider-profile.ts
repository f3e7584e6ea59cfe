import type { ApiDefinition } from "../apis/api-definition.ts";
import type { ErrorRenderer } from "../errors.ts";

export type RouteMatch =
  | { readonly kind: "intercept"; readonly api: ApiDefinition }
  | { readonly kind: "passthrough" };

/** What differs between provider kinds: routes, where the key goes, the error shape. */
export interface ProviderProfile {
  /** Matches a path after the provider prefix (e.g. `/v1/messages`); null: 404. */
  match(method: string, path: string): RouteMatch | null;
  /** Puts the enterprise key on upstream headers, the way this provider expects it. */
  applyKey(headers: Headers, apiKey: string): void;
  readonly renderError: ErrorRenderer;
}

/** `/v1/models` or `/v1/models/<id>` (ids may hold slashes, e.g. fine-tune names). */
export function isModelsPath(path: string): boolean {
  return path === "/v1/models" || (path.startsWith("/v1/models/") && path.length > "/v1/models/".length);
}

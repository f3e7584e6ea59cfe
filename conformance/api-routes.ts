import type { ProviderKind } from "../core/config.ts";

/** Where a fixture folder's API lives on the bridge, and what the runner may assume of it. */
export interface ApiRoute {
  readonly provider: ProviderKind;
  readonly path: string;
  /** The bridge forwards this API's request body byte for byte (it owns no field of it). */
  readonly verbatimBody: boolean;
  /** The client's credential header, in this provider's style. */
  credentialHeader(key: string): [string, string];
  /** The provider's own end-of-response marker, for corpus expectations. */
  readonly endMarker: (eventTypes: ReadonlySet<string>) => boolean;
}

const anthropicKey = (key: string): [string, string] => ["x-api-key", key];
const bearer = (key: string): [string, string] => ["authorization", `Bearer ${key}`];

/** Fixture folder name → route. A folder not listed here is a loud error, never a skip. */
export const API_ROUTES: Readonly<Record<string, ApiRoute>> = {
  "anthropic-messages": {
    provider: "anthropic",
    path: "/v1/messages",
    verbatimBody: true,
    credentialHeader: anthropicKey,
    endMarker: (types) => types.has("message_stop"),
  },
  "openai-chat": {
    provider: "openai",
    path: "/v1/chat/completions",
    verbatimBody: false,
    credentialHeader: bearer,
    endMarker: (types) => types.has("[DONE]"),
  },
  "openai-responses": {
    provider: "openai",
    path: "/v1/responses",
    verbatimBody: true,
    credentialHeader: bearer,
    endMarker: (types) => types.has("response.completed"),
  },
};

export function routeFor(api: string): ApiRoute {
  const route = API_ROUTES[api];
  if (!route) throw new Error(`unknown API folder "${api}" (known: ${Object.keys(API_ROUTES).join(", ")})`);
  return route;
}

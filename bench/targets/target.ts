import type { ApiKind } from "../lib/shapes.ts";

export type VariantName =
  | "direct"
  | "floor-bun"
  | "causeway-bun"
  | "causeway-bun-bare"
  | "causeway-bun-unobserved"
  | "causeway-bun-observed"
  | "causeway-bun-policies"
  | "causeway-node"
  | "portkey";

/** One way of reaching the mock upstream, as the load generators see it. */
export interface Target {
  readonly name: VariantName;
  /** What it is, for the report. */
  readonly description: string;
  /** The process whose memory counts as the gateway's; null for the direct path. */
  readonly pid: number | null;
  url(api: ApiKind): string;
  headers(api: ApiKind): Record<string, string>;
  stop(): Promise<void>;
}

/** What the probe client and autocannon need: plain data, serialisable to a child process. */
export interface Endpoint {
  readonly name: VariantName;
  readonly url: string;
  readonly headers: Record<string, string>;
}

export function endpoint(target: Target, api: ApiKind): Endpoint {
  return {
    name: target.name,
    url: target.url(api),
    headers: { "content-type": "application/json", ...target.headers(api) },
  };
}

/** Provider credentials in each API's usual header. */
export function credentialHeaders(api: ApiKind, key: string): Record<string, string> {
  return api === "anthropic.messages"
    ? { "x-api-key": key, "anthropic-version": "2023-06-01" }
    : { authorization: `Bearer ${key}` };
}

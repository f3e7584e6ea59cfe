import { spawnChild } from "../lib/processes.ts";
import type { VariantInfo } from "../lib/report.ts";
import { API_KINDS, type ApiKind, DEFAULT_SHAPE, requestBody } from "../lib/shapes.ts";
import { endpoint, type Target, type VariantName } from "../targets/target.ts";
import {
  BUN,
  causewayBareTarget,
  causewayBunTarget,
  causewayNodeTarget,
  directTarget,
  floorTarget,
  portkeyTarget,
  ROOT,
} from "../targets/variants.ts";

export interface Setup {
  readonly upstreamUrl: string;
  readonly targets: Target[];
  readonly variants: VariantInfo[];
  /** Which targets serve each API (an API is benchmarked on the targets that serve it). */
  readonly servedBy: Record<ApiKind, Target[]>;
  /** Things the report must say about how variants were run. */
  readonly notes: string[];
  stop(): Promise<void>;
}

const STARTERS: ReadonlyArray<
  readonly [VariantName, string, (upstream: string, note: (line: string) => void) => Promise<Target>]
> = [
  ["floor-bun", "raw pass-through proxy on Bun (the floor)", floorTarget],
  ["causeway-bun", "Causeway on Bun, auth + SQLite audit on", causewayBunTarget],
  ["causeway-bun-bare", "Causeway on Bun, auth + audit off", causewayBareTarget],
  ["causeway-node", "Causeway on Node", causewayNodeTarget],
  ["portkey", "Portkey AI Gateway", portkeyTarget],
];

/** Starts the mock upstream and every variant (in parallel); a variant that fails is reported, not fatal. */
export async function setUp(only: readonly string[] | null, log: (line: string) => void): Promise<Setup> {
  const upstream = spawnChild("upstream", [BUN, "bench/upstream/server.ts"], { cwd: ROOT });
  const upstreamUrl = (await upstream.waitFor(/"listening":"(http:\/\/127\.0\.0\.1:\d+)"/, 15_000))[1]!;
  log(`upstream ${upstreamUrl}`);
  const wanted = STARTERS.filter(([name]) => only === null || only.includes(name));
  const notes: string[] = [];
  const note = (line: string): void => {
    notes.push(line);
    log(line);
  };
  const started = await Promise.allSettled(wanted.map(([, , start]) => start(upstreamUrl, note)));
  const targets: Target[] = [directTarget(upstreamUrl)];
  const variants: VariantInfo[] = [];
  const failed: VariantInfo[] = [];
  started.forEach((outcome, index) => {
    const [name, description] = wanted[index]!;
    if (outcome.status === "fulfilled") targets.push(outcome.value);
    else {
      log(`${name} did not start: ${String(outcome.reason).split("\n")[0]}`);
      failed.push({
        name,
        description,
        available: false,
        reason: String(outcome.reason).slice(0, 500),
        apis: [],
      });
    }
  });
  const servedBy = Object.fromEntries(API_KINDS.map((api) => [api, [] as Target[]])) as Record<
    ApiKind,
    Target[]
  >;
  for (const target of targets) {
    const apis: ApiKind[] = [];
    const missing: string[] = [];
    for (const api of API_KINDS) {
      const status = await probeStatus(target, api);
      if (status === 200) {
        apis.push(api);
        servedBy[api].push(target);
      } else missing.push(`${api}: ${status}`);
    }
    log(
      `${target.name}: ${apis.join(", ") || "no API"}${missing.length ? ` (not served: ${missing.join("; ")})` : ""}`,
    );
    variants.push({
      name: target.name,
      description: target.description,
      available: apis.length > 0,
      reason: missing.length ? `not served: ${missing.join("; ")}` : null,
      apis,
    });
  }
  return {
    upstreamUrl,
    targets,
    variants: [...variants, ...failed],
    servedBy,
    notes,
    async stop() {
      await Promise.allSettled(targets.map((t) => t.stop()));
      await upstream.stop();
    },
  };
}

/** One blocking request; the status (or the error) tells whether the target serves the API. */
async function probeStatus(target: Target, api: ApiKind): Promise<number | string> {
  const { url, headers } = endpoint(target, api);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers,
      body: requestBody(api, DEFAULT_SHAPE, false),
      signal: AbortSignal.timeout(5000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return String(error);
  }
}

import { spawnChild } from "../lib/processes.ts";
import type { VariantInfo } from "../lib/report.ts";
import { API_KINDS, type ApiKind, DEFAULT_SHAPE, requestBody } from "../lib/shapes.ts";
import { causewayObservedTarget, causewayUnobservedTarget } from "../targets/observability-variants.ts";
import { causewayPoliciesTarget } from "../targets/policy-variant.ts";
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
  /** Stops everything (once; later calls wait for the first): resolves with what variants reported after stopping. */
  stop(): Promise<string[]>;
}

/** What a starter may need besides the upstream. */
interface StartContext {
  readonly note: (line: string) => void;
  /** The local OTLP receiver, when a variant that traces is wanted. */
  readonly otlpSink: string | null;
  /** For lines a variant can only write once it has stopped (e.g. how many spans it exported). */
  readonly report: (line: string) => void;
}

interface Starter {
  readonly name: VariantName;
  readonly summary: string;
  /**
   * Full runs start it only when `--only` names it: the observability pair answers one question,
   * and as two more Causeway processes in every phase it would add minutes to the full run.
   * Smoke runs start every variant, so CI sees these start and report too.
   */
  readonly optIn?: boolean;
  start(upstream: string, context: StartContext): Promise<Target>;
}

const LISTENING = /"listening":"(http:\/\/127\.0\.0\.1:\d+)"/;

const STARTERS: readonly Starter[] = [
  { name: "floor-bun", summary: "raw pass-through proxy on Bun (the floor)", start: floorTarget },
  { name: "causeway-bun", summary: "Causeway on Bun, auth + SQLite audit on", start: causewayBunTarget },
  { name: "causeway-bun-bare", summary: "Causeway on Bun, auth + audit off", start: causewayBareTarget },
  {
    name: "causeway-bun-unobserved",
    summary: "Causeway on Bun, metrics, tracing and the log line off",
    optIn: true,
    start: causewayUnobservedTarget,
  },
  {
    name: "causeway-bun-observed",
    summary: "Causeway on Bun, metrics, tracing and the log line on",
    optIn: true,
    start: async (upstream, { otlpSink, report }) => {
      if (!otlpSink) throw new Error("the local OTLP sink did not start");
      return causewayObservedTarget(upstream, otlpSink, report);
    },
  },
  {
    name: "causeway-bun-policies",
    summary: "Causeway on Bun, with every policy limit set (never reached)",
    optIn: true,
    start: causewayPoliciesTarget,
  },
  {
    name: "causeway-node",
    summary: "Causeway on Node",
    start: (upstream, { note }) => causewayNodeTarget(upstream, note),
  },
  { name: "portkey", summary: "Portkey AI Gateway", start: portkeyTarget },
];

/** Which variants to start: `--only`, else every one a full run starts (smoke: every one). */
export interface Selection {
  readonly only: readonly string[] | null;
  readonly mode: "full" | "smoke";
}

/** Starts the mock upstream and every variant (in parallel); a variant that fails is reported, not fatal. */
export async function setUp(selection: Selection, log: (line: string) => void): Promise<Setup> {
  const { only, mode } = selection;
  const upstream = spawnChild("upstream", [BUN, "bench/upstream/server.ts"], { cwd: ROOT });
  const upstreamUrl = (await upstream.waitFor(LISTENING, 15_000))[1]!;
  log(`upstream ${upstreamUrl}`);
  const wanted = STARTERS.filter((starter) =>
    only === null ? mode === "smoke" || !starter.optIn : only.includes(starter.name),
  );
  const notes: string[] = [];
  const note = (line: string): void => {
    notes.push(line);
    log(line);
  };
  const reports: string[] = [];
  const report = (line: string): void => {
    reports.push(line);
    log(line);
  };
  const sink = wanted.some((starter) => starter.name === "causeway-bun-observed")
    ? spawnChild("otlp-sink", [BUN, "bench/upstream/otlp-sink.ts"], { cwd: ROOT })
    : null;
  // A sink that does not start fails the observed variant (below), not the run.
  const otlpSink = sink
    ? await sink.waitFor(LISTENING, 15_000).then(
        (match) => match[1]!,
        (error: unknown) => {
          log(`otlp sink did not start: ${String(error).split("\n")[0]}`);
          return null;
        },
      )
    : null;
  if (otlpSink) log(`otlp sink ${otlpSink}`);
  const context: StartContext = { note, otlpSink, report };
  const started = await Promise.allSettled(wanted.map((starter) => starter.start(upstreamUrl, context)));
  const targets: Target[] = [directTarget(upstreamUrl)];
  const variants: VariantInfo[] = [];
  const failed: VariantInfo[] = [];
  started.forEach((outcome, index) => {
    const { name, summary: description } = wanted[index]!;
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
    stop: once(async () => {
      await Promise.allSettled(targets.map((t) => t.stop()));
      await sink?.stop();
      await upstream.stop();
      return reports;
    }),
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

/** `work` runs on the first call only; every call gets its result. */
function once<T>(work: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () => {
    running ??= work();
    return running;
  };
}

import { spawnChild } from "../lib/processes.ts";
import type { Endpoint } from "../targets/target.ts";
import { ROOT } from "../targets/variants.ts";

export interface LoadRun {
  /** Successful (2xx) requests per second over the run. */
  readonly rps: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly total: number;
  readonly durationS: number;
  readonly non2xx: number;
  readonly errors: number;
}

interface AutocannonJson {
  readonly duration: number;
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly requests: { readonly total: number };
  readonly "2xx": number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

/** One autocannon run (Node, its own process) of POSTs against an endpoint. */
export async function autocannon(
  endpoint: Endpoint,
  body: string,
  connections: number,
  seconds: number,
): Promise<LoadRun> {
  const headers = Object.entries(endpoint.headers).flatMap(([name, value]) => ["-H", `${name}=${value}`]);
  const args = [
    "node",
    "node_modules/autocannon/autocannon.js",
    "--json",
    "-n",
    "-c",
    String(connections),
    "-d",
    String(seconds),
    "-t",
    "10",
  ];
  const child = spawnChild(
    `autocannon ${endpoint.name}`,
    [...args, "-m", "POST", ...headers, "-b", body, endpoint.url],
    { cwd: ROOT },
  );
  try {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`autocannon ${endpoint.name} timed out`)), (seconds + 20) * 1000),
    );
    await Promise.race([child.exited, timeout]);
    const match = /^\{.*"latency".*\}$/m.exec(child.output());
    if (!match)
      throw new Error(`autocannon ${endpoint.name} printed no result:\n${child.output().slice(-1000)}`);
    const json = JSON.parse(match[0]) as AutocannonJson;
    const ok = json["2xx"];
    return {
      rps: ok / Math.max(json.duration, 0.001),
      latencyP50Ms: json.latency.p50,
      latencyP99Ms: json.latency.p99,
      total: json.requests.total,
      durationS: json.duration,
      non2xx: json.non2xx,
      errors: json.errors + json.timeouts,
    };
  } finally {
    await child.stop();
  }
}

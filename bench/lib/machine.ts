import { readFileSync } from "node:fs";
import { cpus, freemem, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";

export interface Machine {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly memoryMiB: number;
  readonly freeMemoryMiB: number;
  readonly loadAverage1m: number;
  readonly os: string;
  readonly bun: string;
  readonly node: string;
  readonly portkey: string;
  readonly autocannon: string;
}

function packageVersion(root: string, name: string): string {
  try {
    return (
      JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
  } catch {
    return "missing";
  }
}

export function describeMachine(root: string, nodeVersion: string): Machine {
  const list = cpus();
  return {
    nproc: list.length,
    cpuModel: list[0]?.model.trim() ?? "unknown",
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    freeMemoryMiB: Math.round(freemem() / 2 ** 20),
    loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
    os: `${process.platform} ${release()}`,
    bun: Bun.version,
    node: nodeVersion,
    portkey: packageVersion(root, "@portkey-ai/gateway"),
    autocannon: packageVersion(root, "autocannon"),
  };
}

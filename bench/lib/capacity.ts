import { ephemeralPorts, fdLimits } from "./processes.ts";

/** Open files a process needs besides its sockets (runtime, pipes, SQLite, listening socket). */
const FD_RESERVE = 256;
/** A level cut down to what the limits allow is rounded down to a multiple of this. */
const STEP = 500;

const count = (n: number): string => n.toLocaleString("en-US");

/**
 * How many simultaneous streams this machine can carry to one target, and why not more. A stream
 * through a gateway holds two sockets in the gateway (client side, upstream side) and uses up to two
 * ephemeral ports; the probe and the upstream hold one socket per stream. The children run with
 * their soft open-file limit raised to the hard limit (see processes.ts), so the hard limit counts.
 */
export function streamLimit(viaGateway: boolean): { readonly max: number; explain(streams: number): string } {
  const perStream = viaGateway ? 2 : 1;
  const hard = fdLimits()?.hard ?? Number.POSITIVE_INFINITY;
  const ports = ephemeralPorts() ?? Number.POSITIVE_INFINITY;
  const byFds = Math.floor((hard - FD_RESERVE) / perStream);
  const byPorts = Math.floor(ports / perStream);
  return {
    max: Math.max(0, Math.min(byFds, byPorts)),
    explain(streams) {
      const reasons: string[] = [];
      if (streams > byFds)
        reasons.push(
          `needs ~${count(perStream * streams + FD_RESERVE)} open files in the ${viaGateway ? "gateway" : "upstream and probe"} process` +
            `${viaGateway ? " (a client and an upstream socket per stream)" : ""}, the hard limit (ulimit -Hn) is ${count(hard)}`,
        );
      if (streams > byPorts)
        reasons.push(
          `needs ${count(perStream * streams)} ephemeral ports, the loopback range has ${count(ports)}`,
        );
      return reasons.join("; ");
    },
  };
}

export interface PlannedLevel {
  readonly requested: number;
  /** What will run: the requested count, a count cut down to the limits, or null (not run). */
  readonly streams: number | null;
  /** Why the level was cut or skipped, for the report's warnings. */
  readonly warning: string | null;
}

/**
 * Fits the requested levels to this machine's limits and to the variant's own cap (slow variants
 * stop lower). A level over the limits runs at the highest count the limits allow (rounded down to
 * a multiple of 500) when that is above the previous level, and is reported either way.
 */
export function planLevels(
  variant: string,
  requested: readonly number[],
  viaGateway: boolean,
  variantCap: number | null,
): PlannedLevel[] {
  const limit = streamLimit(viaGateway);
  const planned: PlannedLevel[] = [];
  let previous = 0;
  for (const level of requested) {
    if (variantCap !== null && level > variantCap) {
      planned.push({ requested: level, streams: null, warning: null });
      continue;
    }
    if (level <= limit.max) {
      planned.push({ requested: level, streams: level, warning: null });
      previous = level;
      continue;
    }
    const cut = Math.floor(limit.max / STEP) * STEP;
    const runs = cut > previous ? cut : null;
    planned.push({
      requested: level,
      streams: runs,
      warning:
        `${variant}: ${count(level)} streams could not be run: ${limit.explain(level)}` +
        (runs === null ? "" : `; ran ${count(runs)} instead (the most the limits allow)`),
    });
    if (runs !== null) previous = runs;
  }
  return planned;
}

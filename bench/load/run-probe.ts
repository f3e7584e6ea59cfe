import { type Child, spawnChild } from "../lib/processes.ts";
import { ROOT } from "../targets/variants.ts";
import { type IdleJob, type IdleReady, type ProbeJob, READY_PREFIX, RESULT_PREFIX } from "./jobs.ts";

/** The probe is the client, not the system under test: lift Bun's 256 concurrent-fetch cap for it. */
const PROBE_ENV = { BUN_CONFIG_MAX_HTTP_REQUESTS: "65000" };

function startProbe(job: ProbeJob): Child {
  return spawnChild(`probe ${job.kind}`, [process.execPath, "bench/load/probe.ts", JSON.stringify(job)], {
    cwd: ROOT,
    env: PROBE_ENV,
  });
}

function parseLine<T>(match: RegExpExecArray): T {
  return JSON.parse(match[1]!) as T;
}

/** Runs a probe job to completion in its own process and returns its result. */
export async function runProbe<T>(job: ProbeJob, timeoutMs: number): Promise<T> {
  const child = startProbe(job);
  try {
    return parseLine<T>(await child.waitFor(new RegExp(`${RESULT_PREFIX}(.*)\\n`), timeoutMs));
  } finally {
    await child.stop();
  }
}

export interface IdleStreams {
  readonly ready: IdleReady;
  close(): Promise<void>;
}

/** Opens held streams in a probe process; they stay open until `close()`. */
export async function openIdleStreams(job: IdleJob): Promise<IdleStreams> {
  const child = startProbe(job);
  try {
    const ready = parseLine<IdleReady>(
      await child.waitFor(new RegExp(`${READY_PREFIX}(.*)\\n`), job.rampMs + job.timeoutMs + 5000),
    );
    return {
      ready,
      async close() {
        child.send("close");
        await Promise.race([child.exited, Bun.sleep(3000)]);
        await child.stop();
      },
    };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

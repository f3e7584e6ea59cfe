/**
 * The probe client, in its own process: precise per-request timings that autocannon (whole
 * milliseconds) cannot give. Usage: bun bench/load/probe.ts '<ProbeJob JSON>'.
 * Prints `PROBE_RESULT <json>` when done (idle jobs print `PROBE_READY <json>` first, then wait
 * for a "close" line on stdin).
 */
import { percentile } from "../lib/stats.ts";
import type { Endpoint } from "../targets/target.ts";
import {
  type ConcurrentJob,
  type ConcurrentResult,
  type IdleJob,
  type IdleReady,
  type LatencyJob,
  type LatencyResult,
  type ProbeJob,
  READY_PREFIX,
  RESULT_PREFIX,
  type StreamsJob,
  type StreamsResult,
} from "./jobs.ts";
import { StampReader } from "./stamps.ts";

const post = (endpoint: Endpoint, body: string, signal?: AbortSignal) =>
  fetch(endpoint.url, { method: "POST", headers: endpoint.headers, body, ...(signal ? { signal } : {}) });

async function latency(job: LatencyJob): Promise<LatencyResult> {
  const samplesMs: Record<string, number[]> = {};
  const errors: Record<string, number> = {};
  const once = async (endpoint: Endpoint): Promise<number | null> => {
    const start = performance.now();
    try {
      const response = await post(endpoint, job.body);
      await response.arrayBuffer();
      if (response.status !== 200) return null;
      return performance.now() - start;
    } catch {
      return null;
    }
  };
  for (const endpoint of job.endpoints) {
    samplesMs[endpoint.name] = [];
    errors[endpoint.name] = 0;
    for (let i = 0; i < job.warmup; i++) await once(endpoint);
  }
  // Each round starts with the next endpoint: in a fixed order the one measured after another
  // gateway pays for that gateway's background work (its audit batch, its GC), a bias of tens of
  // microseconds that once looked like a cost of usage policies.
  const n = job.endpoints.length;
  for (let round = 0; round < job.rounds; round++) {
    for (let k = 0; k < n; k++) {
      const endpoint = job.endpoints[(round + k) % n]!;
      for (let i = 0; i < job.perBlock; i++) {
        const ms = await once(endpoint);
        if (ms === null) errors[endpoint.name]!++;
        else samplesMs[endpoint.name]!.push(ms);
      }
    }
  }
  return { samplesMs, errors };
}

interface StreamOutcome {
  readonly ok: boolean;
  readonly ttfbMs: number;
  readonly delaysMs: number[];
  readonly error: string | null;
}

/** One stream read to its end; `ok` when it answered 200 and carried every content event. */
async function readStream(
  endpoint: Endpoint,
  body: string,
  events: number,
  signal?: AbortSignal,
): Promise<StreamOutcome> {
  const start = performance.now();
  let ttfbMs = Number.NaN;
  const delaysMs: number[] = [];
  try {
    const response = await post(endpoint, body, signal);
    if (!response.body) return { ok: false, ttfbMs, delaysMs, error: `no body (${response.status})` };
    const stamps = new StampReader();
    const reader = response.body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      if (Number.isNaN(ttfbMs)) ttfbMs = performance.now() - start;
      stamps.push(read.value, (delay) => delaysMs.push(delay));
    }
    if (response.status !== 200) return { ok: false, ttfbMs, delaysMs, error: `status ${response.status}` };
    const ok = stamps.count === events;
    return { ok, ttfbMs, delaysMs, error: ok ? null : `saw ${stamps.count} of ${events} events` };
  } catch (error) {
    return { ok: false, ttfbMs, delaysMs, error: String(error) };
  }
}

async function streams(job: StreamsJob): Promise<StreamsResult> {
  const ttfbMs: Record<string, number[]> = {};
  const eventDelayMs: Record<string, number[]> = {};
  const errors: Record<string, number> = {};
  for (const endpoint of job.endpoints) {
    ttfbMs[endpoint.name] = [];
    eventDelayMs[endpoint.name] = [];
    errors[endpoint.name] = 0;
    for (let i = 0; i < job.warmup; i++) await readStream(endpoint, job.body, job.events);
  }
  for (let round = 0; round < job.rounds; round++) {
    for (const endpoint of job.endpoints) {
      const outcome = await readStream(endpoint, job.body, job.events);
      if (!outcome.ok) {
        errors[endpoint.name]!++;
        continue;
      }
      ttfbMs[endpoint.name]!.push(outcome.ttfbMs);
      eventDelayMs[endpoint.name]!.push(...outcome.delaysMs);
    }
  }
  return { ttfbMs, eventDelayMs, errors };
}

async function concurrent(job: ConcurrentJob): Promise<ConcurrentResult> {
  const started = performance.now();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), job.timeoutMs);
  // Opened in up to 50 batches spread over rampMs, like clients arriving, not one SYN flood.
  const batches = Math.min(50, job.streams);
  const perBatch = Math.ceil(job.streams / batches);
  const runs: Promise<StreamOutcome>[] = [];
  let inFlight = 0;
  let peakInFlight = 0;
  for (let i = 0; i < job.streams; i++) {
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    runs.push(
      readStream(job.endpoint, job.body, job.events, abort.signal).finally(() => {
        inFlight--;
      }),
    );
    if ((i + 1) % perBatch === 0 && job.rampMs > 0) await Bun.sleep(job.rampMs / batches);
  }
  const outcomes = await Promise.all(runs);
  clearTimeout(timer);
  const delays: number[] = [];
  const ttfbs: number[] = [];
  let completed = 0;
  let late = 0;
  let firstError: string | null = null;
  for (const outcome of outcomes) {
    delays.push(...outcome.delaysMs);
    if (!outcome.ok) {
      firstError ??= outcome.error;
      continue;
    }
    completed++;
    ttfbs.push(outcome.ttfbMs);
    // A stream queued before it reached the upstream stalls just as much as a late event.
    if (outcome.ttfbMs > job.stallMs || outcome.delaysMs.some((d) => d > job.stallMs)) late++;
  }
  return {
    streams: job.streams,
    completed,
    failed: job.streams - completed,
    late,
    eventDelayP50Ms: percentile(delays, 50),
    eventDelayP99Ms: percentile(delays, 99),
    eventDelayMaxMs: delays.length ? delays.reduce((a, b) => Math.max(a, b)) : Number.NaN,
    ttfbP99Ms: percentile(ttfbs, 99),
    peakInFlight,
    elapsedMs: performance.now() - started,
    firstError,
  };
}

async function idle(job: IdleJob): Promise<IdleReady> {
  const abort = new AbortController();
  const firstBytes: Promise<string | null>[] = [];
  const batches = Math.min(50, job.streams);
  const perBatch = Math.ceil(job.streams / batches);
  for (let i = 0; i < job.streams; i++) {
    if (i > 0 && i % perBatch === 0 && job.rampMs > 0) await Bun.sleep(job.rampMs / batches);
    firstBytes.push(
      (async () => {
        try {
          const response = await post(job.endpoint, job.body, abort.signal);
          if (response.status !== 200 || !response.body) return `status ${response.status}`;
          const reader = response.body.getReader();
          const first = await reader.read();
          // Keep reading (keep-alives) in the background so the stream stays healthy.
          void (async () => {
            try {
              while (!(await reader.read()).done);
            } catch {
              // aborted at close
            }
          })();
          return first.done ? "ended early" : null;
        } catch (error) {
          return String(error);
        }
      })(),
    );
  }
  // Streams that got no first bytes in time count as not open (e.g. queued inside the gateway).
  const outcomes: (string | null)[] = new Array(job.streams).fill("no first bytes in time");
  firstBytes.forEach((promise, index) => {
    void promise.then((outcome) => {
      outcomes[index] = outcome;
    });
  });
  await Promise.race([Promise.all(firstBytes), new Promise((resolve) => setTimeout(resolve, job.timeoutMs))]);
  const failures = outcomes.filter((r) => r !== null);
  const ready: IdleReady = {
    open: job.streams - failures.length,
    failed: failures.length,
    firstError: failures[0] ?? null,
  };
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(ready)}\n`);
  // Hold until told to close (or the safety timeout), then drop every stream.
  await Promise.race([waitForLine("close"), new Promise((resolve) => setTimeout(resolve, 120_000))]);
  abort.abort();
  return ready;
}

async function waitForLine(expected: string): Promise<void> {
  const decoder = new TextDecoder();
  let text = "";
  const reader = Bun.stdin.stream().getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    text += decoder.decode(read.value);
    if (text.split("\n").some((line) => line.trim() === expected)) return;
  }
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? "null") as ProbeJob;
  let result: unknown;
  switch (job.kind) {
    case "latency":
      result = await latency(job);
      break;
    case "streams":
      result = await streams(job);
      break;
    case "concurrent":
      result = await concurrent(job);
      break;
    case "idle":
      result = await idle(job);
      break;
  }
  // Large results: wait until the whole line is written before exiting, or the pipe truncates it.
  await Bun.write(Bun.stdout, `${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  process.exit(0);
}

await main();

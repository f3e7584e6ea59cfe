import { createBridge } from "../core/bridge.ts";
import { DEFAULT_LIMITS, type Limits } from "../core/config.ts";
import { REQUEST_ID_HEADER } from "../core/http/headers.ts";
import { MemoryAuth } from "../core/ports/auth.ts";
import { ManualClock } from "../core/ports/clock.ts";
import { SequentialIds } from "../core/ports/ids.ts";
import { MemoryRecorder } from "../core/ports/recorder.ts";
import { MemoryToolProvider } from "../core/ports/tool-provider.ts";
import { decodeSse } from "../core/sse/decoder.ts";
import type { SseEvent } from "../core/sse/event.ts";
import { routeFor } from "./api-routes.ts";
import {
  type AuditSummary,
  compareRecords,
  deepEqual,
  show,
  summarize,
  totalTokens,
} from "./audit-summary.ts";
import type { ConformanceCase, FixtureTool, ModeCase } from "./case.ts";
import { type Chunking, chunkingsFor } from "./chunkings.ts";
import { replayUpstream } from "./replay-upstream.ts";

export const CLIENT_KEY = "cw_conformance_client_key";
export const ENTERPRISE_KEY = "sk-conformance-enterprise-CANARY";

export interface Mismatch {
  readonly caseId: string;
  readonly mode: string;
  readonly chunking: string;
  readonly message: string;
}

/** What one replay produced, for the checks and for cross-chunking comparison. */
export interface Observation {
  readonly status: number;
  readonly body: Uint8Array;
  readonly headers: Headers;
  readonly audit: AuditSummary;
  readonly interceptions: number;
  readonly requestId: string | null;
  readonly upstreamCalls: number;
  readonly upstreamBody: Uint8Array | null;
  readonly upstreamHeaders: Headers | null;
}

/** Replays one mode of a case under one chunking through a bridge on in-memory ports. */
export async function replay(
  api: string,
  modeCase: ModeCase,
  chunking: Chunking,
  limits: Partial<Limits> = {},
): Promise<Observation> {
  const route = routeFor(api);
  const recorder = new MemoryRecorder();
  const { upstream, requests } = replayUpstream(modeCase.responses, chunking);
  const bridge = createBridge(
    {
      providers: [
        {
          name: route.provider,
          kind: route.provider,
          baseUrl: "http://upstream.test",
          apiKey: ENTERPRISE_KEY,
        },
      ],
      limits: { ...DEFAULT_LIMITS, ...limits },
    },
    {
      auth: new MemoryAuth([[CLIENT_KEY, { userId: "u-conf", name: "conformance", roles: [] }]]),
      recorder,
      upstream,
      clock: new ManualClock(),
      ids: new SequentialIds("conf_"),
      ...(modeCase.tools ? { tools: toolProvider(modeCase.tools) } : {}),
    },
  );
  const [credentialName, credentialValue] = route.credentialHeader(CLIENT_KEY);
  const response = await bridge.handle(
    new Request(`http://bridge.test/${route.provider}${route.path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        [credentialName]: credentialValue,
      },
      body: modeCase.requestBody,
    }),
  );
  const body = new Uint8Array(await response.arrayBuffer());
  await recorder.flush();
  const starts = recorder.entries.filter((e) => e.kind === "interception-start");
  const requestId = response.headers.get(REQUEST_ID_HEADER);
  const first = requests[0];
  return {
    status: response.status,
    body,
    headers: response.headers,
    audit: summarize(recorder.entries, requestId ?? ""),
    interceptions: starts.length,
    requestId,
    upstreamCalls: requests.length,
    upstreamBody: first ? first.body : null,
    upstreamHeaders: first ? first.headers : null,
  };
}

/** Serves the fixture's tools: each call returns the tool's recorded result. */
function toolProvider(tools: readonly FixtureTool[]): MemoryToolProvider {
  const definitions = tools.map((t) => ({
    server: t.server,
    name: t.name,
    description: t.description ?? "",
    inputSchema: t.inputSchema ?? { type: "object", properties: {} },
  }));
  return new MemoryToolProvider(definitions, async (server, name) => {
    const tool = tools.find((t) => t.server === server && t.name === name);
    if (!tool) throw new Error(`no fixture tool ${server}/${name}`);
    return { content: tool.result.content, isError: tool.result.isError ?? false };
  });
}

/** Headers the bridge must relay from a raw upstream response (everything end-to-end). */
const NOT_RELAYED = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "set-cookie",
  "content-encoding",
]);

/** Everything that differs from what the case expects, as readable lines. */
export function check(api: string, modeCase: ModeCase, seen: Observation): string[] {
  const route = routeFor(api);
  const problems: string[] = [];
  if (seen.status === 404 && seen.upstreamCalls === 0) {
    return [
      `route ${route.provider}${route.path} is not served by the bridge (404 without an upstream call)`,
    ];
  }
  if (seen.status !== modeCase.expectStatus)
    problems.push(`status: expected ${modeCase.expectStatus}, got ${seen.status}`);
  // After an injected tool loop the bridge writes the blocking body itself: compare it as JSON.
  const synthesized = modeCase.tools !== undefined && modeCase.mode === "non-streaming";
  const truncated = modeCase.expect.truncated === true;
  const received = truncated ? seen.body.subarray(0, modeCase.expectClient.length) : seen.body;
  const diff = synthesized
    ? jsonDifference(modeCase.expectClient, received)
    : firstDifference(modeCase.expectClient, received);
  if (diff !== null) problems.push(`client bytes differ ${diff}`);
  if (truncated && diff === null) {
    const added = decodeSse(new TextDecoder().decode(seen.body.subarray(modeCase.expectClient.length)));
    if (added.length !== 1 || !isErrorEvent(added[0]!))
      problems.push(
        `truncated stream: want one in-band error event after the relayed bytes, got ${show(added)}`,
      );
  }
  if (seen.requestId === null) problems.push(`no ${REQUEST_ID_HEADER} header`);
  if (seen.interceptions !== 1)
    problems.push(`expected 1 interception, the audit holds ${seen.interceptions}`);
  if (seen.audit.starts !== 1 || seen.audit.ends !== 1) {
    problems.push(
      `audit for ${seen.requestId}: ${seen.audit.starts} start and ${seen.audit.ends} terminal records (want 1 and 1)`,
    );
  }
  if (seen.upstreamCalls > modeCase.responses.length)
    problems.push(`unexpected upstream call #${seen.upstreamCalls}`);
  if (seen.upstreamHeaders) {
    const leaked = [...seen.upstreamHeaders.values()].some((value) => value.includes(CLIENT_KEY));
    if (leaked) problems.push("the client's credential reached the upstream");
    if (![...seen.upstreamHeaders.values()].some((value) => value.includes(ENTERPRISE_KEY)))
      problems.push("the enterprise key was not sent upstream");
  }
  // With injected tools the bridge owns the `tools` field, so the body is no longer verbatim.
  if (
    route.verbatimBody &&
    !modeCase.tools &&
    seen.upstreamBody &&
    firstDifference(new TextEncoder().encode(modeCase.requestBody), seen.upstreamBody) !== null
  ) {
    problems.push("the upstream request body differs from the client's bytes");
  }
  const answer = modeCase.responses[0];
  for (const [name, value] of answer?.headers ?? []) {
    if (NOT_RELAYED.has(name) || name === "content-type") continue;
    if (seen.headers.get(name) !== value)
      problems.push(`response header ${name}: expected ${show(value)}, got ${show(seen.headers.get(name))}`);
  }
  const { records, completed, nonZeroTokens } = modeCase.expect;
  if (records) problems.push(...compareRecords(records, seen.audit));
  if (completed === true && seen.audit.status !== "completed")
    problems.push(`audit status: expected completed, got ${seen.audit.status}`);
  if (completed === false && seen.audit.status === "completed")
    problems.push("audit status: completed although the end marker is missing");
  if (nonZeroTokens && totalTokens(seen.audit) === 0)
    problems.push("audit tokens: all zero although the upstream reported usage");
  return problems;
}

/** Runs every mode of a case under every chunking; also checks results agree across chunkings. */
export async function runCase(
  conformanceCase: ConformanceCase,
  chunkings?: (size: number) => Chunking[],
): Promise<Mismatch[]> {
  const mismatches: Mismatch[] = [];
  for (const modeCase of conformanceCase.modes) {
    const size = modeCase.responses[0]?.body.length ?? 0;
    let baseline: Observation | null = null;
    for (const chunking of (chunkings ?? chunkingsFor)(size)) {
      const add = (message: string): void => {
        mismatches.push({
          caseId: conformanceCase.id,
          mode: modeCase.mode,
          chunking: chunking.name,
          message,
        });
      };
      let seen: Observation;
      try {
        seen = await replay(conformanceCase.api, modeCase, chunking);
      } catch (error) {
        add(`replay threw: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      for (const problem of check(conformanceCase.api, modeCase, seen)) add(problem);
      if (baseline === null) {
        baseline = seen;
        continue;
      }
      if (firstDifference(baseline.body, seen.body) !== null)
        add("client bytes differ from the as-recorded replay");
      if (!deepEqual(baseline.audit, seen.audit))
        add(`audit differs from the as-recorded replay: ${show(seen.audit)}`);
    }
  }
  return mismatches;
}

const decoder = new TextDecoder();

/** null when equal; otherwise where and how the bytes first differ. */
export function firstDifference(expected: Uint8Array, actual: Uint8Array): string | null {
  const length = Math.min(expected.length, actual.length);
  let at = 0;
  while (at < length && expected[at] === actual[at]) at++;
  if (at === length && expected.length === actual.length) return null;
  const around = (b: Uint8Array): string =>
    JSON.stringify(decoder.decode(b.subarray(Math.max(0, at - 20), at + 40)));
  return `at byte ${at} (expected ${expected.length} bytes, got ${actual.length}): expected ${around(expected)}, got ${around(actual)}`;
}

function jsonDifference(expected: Uint8Array, got: Uint8Array): string | null {
  const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
  try {
    const a = JSON.stringify(JSON.parse(decode(expected)));
    const b = JSON.stringify(JSON.parse(decode(got)));
    return a === b ? null : `(as JSON): expected ${a.slice(0, 200)}, got ${b.slice(0, 200)}`;
  } catch {
    return firstDifference(expected, got);
  }
}

/** An SSE event in any of the three APIs' error shapes (`event: error`, or an `error` object in its data). */
function isErrorEvent(event: SseEvent): boolean {
  if (event.event === "error") return true;
  try {
    const data = JSON.parse(event.data) as Record<string, unknown>;
    return data.type === "error" || (typeof data.error === "object" && data.error !== null);
  } catch {
    return false;
  }
}

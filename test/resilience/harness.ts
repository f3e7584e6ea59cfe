import { createBridge } from "../../core/bridge.ts";
import {
  type BreakerPolicy,
  DEFAULT_LIMITS,
  DEFAULT_RETRY,
  type Limits,
  type RetryPolicy,
} from "../../core/config.ts";
import { MemoryAuth } from "../../core/ports/auth.ts";
import { ManualClock } from "../../core/ports/clock.ts";
import { SequentialIds } from "../../core/ports/ids.ts";
import { MemoryRecorder } from "../../core/ports/recorder.ts";
import { settle } from "../core/support/scripted-upstream.ts";
import { USER_KEY } from "../helpers/bridge-harness.ts";

/** What the fake provider does with one attempt. */
export type Fault =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  | "reset"
  | { readonly stream: readonly string[]; readonly cut?: boolean };

export const OK_MESSAGE =
  '{"type":"message","content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":3,"output_tokens":2}}';

/**
 * A bridge on in-memory ports with one Anthropic instance whose retry, breaker and key pool the
 * test chooses, and an upstream that answers each attempt with the next fault of a script (then
 * 200). Time is a ManualClock the test drives with `run`.
 */
export function resilienceHarness(options: {
  script?: (call: number, request: Request) => Fault;
  retry?: RetryPolicy | null;
  breaker?: BreakerPolicy;
  keys?: readonly string[];
  limits?: Partial<Limits>;
}) {
  const clock = new ManualClock();
  const recorder = new MemoryRecorder();
  const calls: { at: number; key: string | null; model: string }[] = [];
  const keys = options.keys ?? ["sk-ent-0"];
  const bridge = createBridge(
    {
      providers: [
        {
          name: "anthropic",
          kind: "anthropic",
          baseUrl: "http://upstream.test",
          apiKey: keys[0]!,
          ...(keys.length > 1 ? { apiKeys: keys } : {}),
          ...(options.retry === null ? {} : { retry: options.retry ?? DEFAULT_RETRY }),
          ...(options.breaker ? { circuitBreaker: options.breaker } : {}),
        },
      ],
      limits: { ...DEFAULT_LIMITS, ...options.limits },
    },
    {
      auth: new MemoryAuth([[USER_KEY, { userId: "u1", name: "alice", roles: [] }]]),
      recorder,
      clock,
      ids: new SequentialIds(),
      random: () => 0.5,
      upstream: async (request) => {
        const text = await request.clone().text();
        const model = text ? (JSON.parse(text) as { model: string }).model : "";
        calls.push({ at: clock.now(), key: request.headers.get("x-api-key"), model });
        const fault = options.script?.(calls.length - 1, request) ?? { status: 200, body: OK_MESSAGE };
        return answer(fault);
      },
    },
  );

  /** Sends a request and moves time on (in 50 ms steps) until it is answered. */
  const run = async (request: Request, maxMs = 120_000): Promise<{ response: Response; elapsed: number }> => {
    const start = clock.now();
    let answered: Response | null = null;
    const pending = bridge.handle(request).then((response) => {
      answered = response;
      return response;
    });
    for (let waited = 0; answered === null && waited <= maxMs; waited += 50) {
      await settle(2);
      if (answered === null) clock.advance(50);
    }
    return { response: await pending, elapsed: clock.now() - start };
  };

  return { bridge, clock, recorder, calls, run };
}

function answer(fault: Fault): Response {
  if (fault === "reset") throw new TypeError("fetch failed: connection reset");
  if ("stream" in fault) {
    const encoder = new TextEncoder();
    let next = 0;
    // Chunk by chunk, as a socket delivers them: a cut comes after the chunks were read.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = fault.stream[next++];
        if (chunk !== undefined) controller.enqueue(encoder.encode(chunk));
        else if (fault.cut) controller.error(new TypeError("terminated"));
        else controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
  }
  return new Response(
    fault.body ?? '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    {
      status: fault.status,
      headers: { "content-type": "application/json", ...fault.headers },
    },
  );
}

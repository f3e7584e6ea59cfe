import type { InterceptionTrace } from "../audit/interception-trace.ts";
import type { Principal } from "../ports/auth.ts";
import type { Clock } from "../ports/clock.ts";
import type { ToolLoopLimits, ToolProvider, ToolResult } from "../ports/tool-provider.ts";
import type { ToolCatalog } from "./catalog.ts";
import type { ToolCall, ToolCallResult } from "./contract.ts";
import { capResult, errorResult } from "./results.ts";

export interface CallRunner {
  readonly provider: ToolProvider;
  readonly principal: Principal;
  readonly catalog: ToolCatalog;
  readonly trace: InterceptionTrace;
  readonly clock: Clock;
  readonly limits: ToolLoopLimits;
}

/**
 * Runs one round of injected calls concurrently. Each call gets its own timeout; `signal` (client
 * disconnect, shutdown) cancels them all, and a provider that ignores its signal is abandoned
 * rather than awaited. Every call is audited with its duration and error. Never throws.
 */
export function runCalls(
  runner: CallRunner,
  calls: readonly ToolCall[],
  signal: AbortSignal,
): Promise<ToolCallResult[]> {
  return Promise.all(calls.map((call) => runOne(runner, call, signal)));
}

async function runOne(runner: CallRunner, call: ToolCall, signal: AbortSignal): Promise<ToolCallResult> {
  const { provider, principal, catalog, clock, limits } = runner;
  const tool = catalog.byName.get(call.name);
  const started = clock.now();
  let result: ToolResult;
  let error: string | null = null;
  const args = parseArgs(call.args);
  if (!tool) {
    // Unreachable by construction (sessions only hand over injected names); kept as a guard.
    result = errorResult(`Unknown tool ${call.name}.`);
    error = "unknown tool";
  } else if (args === null) {
    result = errorResult("The tool arguments were not a JSON object.");
    error = "invalid arguments";
  } else {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const cancelTimer = clock.setTimer(limits.callTimeoutMs, () => {
      timedOut = true;
      controller.abort("timeout");
    });
    try {
      if (signal.aborted) throw new Error("cancelled");
      const call$ = provider.callTool(
        principal,
        tool.definition.server,
        tool.definition.name,
        args,
        controller.signal,
      );
      result = capResult(await untilAborted(call$, controller.signal), limits.maxResultBytes);
      if (result.isError) error = firstText(result) ?? "the tool reported an error";
    } catch (cause) {
      error = timedOut
        ? `timed out after ${limits.callTimeoutMs} ms`
        : signal.aborted
          ? `cancelled: ${signal.reason === "client" ? "the client disconnected" : String(signal.reason)}`
          : describe(cause);
      result = errorResult(
        timedOut ? `The tool did not answer within ${limits.callTimeoutMs} ms.` : `The tool failed: ${error}`,
      );
    } finally {
      cancelTimer();
      signal.removeEventListener("abort", onAbort);
    }
  }
  auditInjectedCall(runner, call, error, clock.now() - started);
  return { call, content: result.content, isError: result.isError };
}

/**
 * Records an injected call in the audit under the tool's own name and server: one that ran (with
 * its duration), or one the model made that the bridge did not run (`durationMs` null).
 */
export function auditInjectedCall(
  runner: Pick<CallRunner, "catalog" | "trace">,
  call: ToolCall,
  error: string | null,
  durationMs: number | null,
): void {
  const tool = runner.catalog.byName.get(call.name);
  runner.trace.toolCall({
    name: tool?.definition.name ?? call.name,
    callId: call.id,
    args: call.args,
    injected: true,
    server: tool?.definition.server ?? null,
    error,
    durationMs,
  });
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(new Error("aborted"));
    signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
    promise.then(resolve, reject);
  });
}

function parseArgs(text: string): Record<string, unknown> | null {
  if (text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function firstText(result: ToolResult): string | null {
  for (const item of result.content) if (item.type === "text") return item.text.slice(0, 500);
  return null;
}

function describe(cause: unknown): string {
  // Messages come from the MCP client; they name the tool server, never credentials.
  return (cause instanceof Error ? cause.message : String(cause)).slice(0, 500);
}

import { expect } from "vitest";
import type { InterceptionEnd, MemoryRecorder } from "../../../core/ports/recorder.ts";

/**
 * AUD-01: every interception in the recorder has exactly one start and exactly one terminal
 * record. Returns the terminal records in start order; `count` pins how many interceptions ran.
 */
export function expectOneTerminalEach(recorder: MemoryRecorder, count?: number): InterceptionEnd[] {
  const starts = recorder.entries.filter((e) => e.kind === "interception-start");
  if (count !== undefined) expect(starts, "interceptions recorded").toHaveLength(count);
  const ends: InterceptionEnd[] = [];
  for (const start of starts) {
    const own = recorder.of(start.id);
    expect(
      own.filter((e) => e.kind === "interception-start"),
      `start records of ${start.id}`,
    ).toHaveLength(1);
    const terminal = own.filter((e): e is InterceptionEnd => e.kind === "interception-end");
    expect(terminal, `terminal records of ${start.id}`).toHaveLength(1);
    ends.push(terminal[0] as InterceptionEnd);
  }
  const orphans = recorder.entries.filter(
    (e) => e.kind === "interception-end" && !starts.some((s) => s.id === e.interceptionId),
  );
  expect(orphans, "terminal records without a start").toEqual([]);
  return ends;
}

/** The single interception's terminal record (asserts there is exactly one interception). */
export function onlyTerminal(recorder: MemoryRecorder): InterceptionEnd {
  return expectOneTerminalEach(recorder, 1)[0] as InterceptionEnd;
}

/** Summed token usage of one interception. */
export function tokensOf(recorder: MemoryRecorder, id: string) {
  const total = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
  for (const e of recorder.of(id)) {
    if (e.kind !== "token-usage") continue;
    total.input += e.tokens.input;
    total.output += e.tokens.output;
    total.cacheRead += e.tokens.cacheRead;
    total.cacheWrite += e.tokens.cacheWrite;
    total.reasoning += e.tokens.reasoning;
  }
  return total;
}

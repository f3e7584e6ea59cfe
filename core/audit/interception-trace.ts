import type { Clock } from "../ports/clock.ts";
import type { InterceptionStart, InterceptionStatus, Recorder, TokenUsage } from "../ports/recorder.ts";
import type { ResponseFact } from "./response-fact.ts";

const ZERO_USAGE: Readonly<TokenUsage> = {
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
  reasoning: 0,
};

/**
 * The audit of one interception: turns response facts into recorder entries and guarantees
 * exactly one terminal status, whichever path (success, error, cancel, timeout) gets there first.
 */
export class InterceptionTrace {
  readonly id: string;
  #turn = 0;
  #usage: TokenUsage = { ...ZERO_USAGE };
  #usageSeen = false;
  #seq = 0;
  #ended = false;
  #error: string | null = null;
  #completed = false;
  #attempts = 0;
  #keyIndex: number | null = null;

  private readonly recorder: Recorder;
  private readonly clock: Clock;

  constructor(recorder: Recorder, clock: Clock, start: InterceptionStart) {
    this.recorder = recorder;
    this.clock = clock;
    this.id = start.id;
    recorder.record(start);
  }

  get ended(): boolean {
    return this.#ended;
  }
  /** The provider's end marker arrived. */
  get completed(): boolean {
    return this.#completed;
  }
  /** The provider reported an error inside the response. */
  get error(): string | null {
    return this.#error;
  }

  prompt(text: string): void {
    this.recorder.record({ kind: "prompt", interceptionId: this.id, seq: this.#seq++, text });
  }

  apply(facts: readonly ResponseFact[]): void {
    for (const fact of facts) {
      switch (fact.kind) {
        case "usage":
          Object.assign(this.#usage, fact.tokens);
          this.#usageSeen = true;
          break;
        case "tool-call":
          this.toolCall({
            name: fact.name,
            callId: fact.callId,
            args: fact.args,
            injected: false,
            server: null,
            error: null,
            durationMs: null,
          });
          break;
        case "thought":
          this.recorder.record({
            kind: "thought",
            interceptionId: this.id,
            seq: this.#seq++,
            text: fact.text,
          });
          break;
        case "error":
          this.#error ??= fact.detail;
          break;
        case "completed":
          this.#completed = true;
          break;
      }
    }
  }

  toolCall(call: {
    name: string;
    callId: string;
    args: string;
    injected: boolean;
    server: string | null;
    error: string | null;
    durationMs: number | null;
  }): void {
    this.recorder.record({ kind: "tool-usage", interceptionId: this.id, seq: this.#seq++, ...call });
  }

  /** One more request went to the upstream, with the enterprise key of this index in the pool. */
  attempt(keyIndex: number): void {
    this.#attempts++;
    this.#keyIndex = keyIndex;
  }

  /** Closes the current upstream turn's usage; tool loops call this between turns. */
  endTurn(): void {
    if (this.#usageSeen) {
      this.recorder.record({
        kind: "token-usage",
        interceptionId: this.id,
        turn: this.#turn,
        tokens: this.#usage,
      });
    }
    this.#turn++;
    this.#usage = { ...ZERO_USAGE };
    this.#usageSeen = false;
    this.#completed = false;
  }

  /** Records the terminal status once; later calls are ignored and return false. */
  end(status: InterceptionStatus, httpStatus: number, detail: string | null = null): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    this.endTurn();
    this.recorder.record({
      kind: "interception-end",
      interceptionId: this.id,
      status,
      httpStatus,
      endedAt: this.clock.now(),
      detail,
      attempts: this.#attempts,
      keyIndex: this.#keyIndex,
    });
    return true;
  }
}

import { RequestTiming } from "../http/server-timing.ts";
import type { Clock } from "../ports/clock.ts";
import { type Logger, silentLogger } from "../ports/logger.ts";
import {
  type InterceptionObserver,
  type InterceptionSummary,
  NO_OBSERVER,
  type UpstreamCallObserver,
} from "../ports/observer.ts";
import type { InterceptionStart, InterceptionStatus, Recorder, TokenUsage } from "../ports/recorder.ts";
import { interceptionLogFields } from "./interception-log.ts";
import type { ResponseFact } from "./response-fact.ts";

/** Who else watches an interception besides the audit: metrics and traces, the log, the request's timing. */
export interface TraceWatchers {
  readonly observer: InterceptionObserver;
  readonly logger: Logger;
  readonly timing: RequestTiming;
  /** Told the terminal summary once, after the audit: settles the request's usage reservation. */
  readonly settle?: (summary: InterceptionSummary) => void;
}

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
 * The same events feed the observer (metrics, spans) and, at the end, one log line.
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
  #total: TokenUsage = { ...ZERO_USAGE };
  #responseModel: string | null = null;
  /** The upstream call in flight or whose turn is still being read, and when it was sent. */
  #call: UpstreamCallObserver | null = null;
  #callSentAt = 0;
  #ttfbMs: number | null = null;

  private readonly recorder: Recorder;
  private readonly clock: Clock;
  private readonly start: InterceptionStart;
  private readonly watchers: TraceWatchers;

  constructor(recorder: Recorder, clock: Clock, start: InterceptionStart, watchers?: TraceWatchers) {
    this.recorder = recorder;
    this.clock = clock;
    this.id = start.id;
    this.start = start;
    this.watchers = watchers ?? {
      observer: NO_OBSERVER.interception(start, null),
      logger: silentLogger,
      timing: new RequestTiming(clock),
    };
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
          if (fact.model) this.#responseModel = fact.model;
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
    if (call.injected)
      this.watchers.observer.toolCall({
        server: call.server,
        name: call.name,
        callId: call.callId,
        error: call.error,
        durationMs: call.durationMs,
      });
  }

  /**
   * One more request goes to the upstream, with the enterprise key of this index in the pool.
   * Returns the `traceparent` to send with it (null: not tracing).
   */
  attempt(keyIndex: number): string | null {
    this.#attempts++;
    this.#keyIndex = keyIndex;
    // An earlier attempt of this turn that got an answer was retried: its call ends here.
    this.#call?.end({ error: "retried" });
    this.#call = this.watchers.observer.upstreamCall(this.#turn);
    this.#callSentAt = this.watchers.timing.now();
    return this.#call.traceparent;
  }

  /** The attempt's response headers arrived (`status`), or it failed before them (null, and why). */
  responded(status: number | null, error: string | null = null): void {
    const { timing } = this.watchers;
    const waited = timing.waitedSince(this.#callSentAt);
    if (status === null) {
      this.#call?.end({ error: error ?? "no response" });
      this.#call = null;
      return;
    }
    this.#ttfbMs ??= this.#callSentAt + waited - timing.started;
    this.#call?.responded(status, waited);
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
      for (const type of TOKEN_TYPES) this.#total[type] += this.#usage[type];
    }
    this.#call?.end(this.#usageSeen ? { tokens: this.#usage } : {});
    this.#call = null;
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
    const summary: InterceptionSummary = {
      status,
      httpStatus,
      detail,
      durationMs: this.watchers.timing.elapsed(),
      ttfbMs: this.#ttfbMs,
      tokens: this.#total,
      attempts: this.#attempts,
      responseModel: this.#responseModel,
    };
    this.watchers.observer.end(summary);
    this.watchers.settle?.(summary);
    this.watchers.logger.info("interception", interceptionLogFields(this.start, summary));
    return true;
  }
}

const TOKEN_TYPES = ["input", "output", "cacheRead", "cacheWrite", "reasoning"] as const;

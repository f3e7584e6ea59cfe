import { describeError } from "../auth/verifier.ts";
import { type GatewayError, gatewayError } from "../errors.ts";
import type { Principal } from "../ports/auth.ts";
import type { Clock } from "../ports/clock.ts";
import { type Logger, throttledLine } from "../ports/logger.ts";
import type { InterceptionSummary } from "../ports/observer.ts";
import type { TokenUsage } from "../ports/recorder.ts";
import type { Adjustment, Charge, UsageLedger } from "../ports/usage-ledger.ts";
import type { RequestEstimate } from "./estimate.ts";
import {
  allowsModel,
  type EffectivePolicy,
  effectivePolicy,
  type LimitUnit,
  NO_POLICY,
  type PolicySet,
  unitOf,
} from "./policy.ts";
import { costMicroUsd, type Pricing } from "./pricing.ts";
import { describeLimit, describeWait } from "./refusal-text.ts";
import { windowOf } from "./windows.ts";

/** A request the gate let through: settle it once, when the interception ends. */
export interface Reservation {
  settle(summary: InterceptionSummary): void;
}

export type Admission =
  | { readonly ok: true; readonly reservation: Reservation }
  | {
      readonly ok: false;
      readonly error: GatewayError;
      /** `retry-after` (and `x-should-retry` when waiting is pointless) for the refusal. */
      readonly headers: Record<string, string>;
    };

/** Beyond this, waiting is pointless for a client: the Anthropic and OpenAI SDKs do not wait longer either. */
const RETRY_HORIZON_S = 60;
/** Distinct users (name and groups) whose merged policy is remembered. */
const POLICY_CACHE_SIZE = 10_000;

/**
 * `policies`: who may use which model, how much and how often. Before a request is sent the gate
 * checks its model, takes one of the user's concurrent slots and reserves the request's estimated
 * use in every limited window (in the ledger, atomically); when it ends the reservation settles to
 * the real use (every turn of a tool loop included) and the slot is given back.
 */
export class PolicyGate {
  readonly #policies: PolicySet;
  readonly #pricing: Pricing;
  readonly #ledger: UsageLedger;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #merged = new Map<string, EffectivePolicy>();
  /** Requests in flight per user id on this instance, for `concurrent_requests`. */
  readonly #inflight = new Map<string, number>();
  readonly #unpriced = new Set<string>();
  /** During a store outage every request with limits would log it: once per 10 s, with a count. */
  readonly #ledgerDown: (message: string, fields?: Record<string, unknown>) => void;

  constructor(policies: PolicySet, pricing: Pricing, ledger: UsageLedger, clock: Clock, logger: Logger) {
    this.#policies = policies;
    this.#pricing = pricing;
    this.#ledger = ledger;
    this.#clock = clock;
    this.#logger = logger;
    this.#ledgerDown = throttledLine((m, f) => logger.error(m, f), clock, 10_000);
  }

  /** The user's merged policy, memoised by name and groups. */
  #policyFor(principal: Principal): EffectivePolicy {
    const groups = principal.groups ?? [];
    const key = groups.length === 0 ? principal.name : `${principal.name}\u0000${groups.join("\u0000")}`;
    let policy = this.#merged.get(key);
    if (policy === undefined) {
      if (this.#merged.size >= POLICY_CACHE_SIZE) this.#merged.clear();
      policy = effectivePolicy(this.#policies, principal.name, groups);
      this.#merged.set(key, policy);
    }
    return policy;
  }

  async admit(principal: Principal, model: string, estimate: RequestEstimate): Promise<Admission> {
    const policy = this.#policyFor(principal);
    if (policy === NO_POLICY) return { ok: true, reservation: NOTHING_RESERVED };
    if (!allowsModel(policy, model))
      return refuse("permission", `Your usage policy does not allow the model ${JSON.stringify(model)}.`);
    const user = principal.userId;
    const cap = policy.concurrentRequests;
    if (cap !== null) {
      const running = this.#inflight.get(user) ?? 0;
      if (running >= cap)
        return refuse(
          "rate_limit",
          `You have ${running} requests in progress, the most your usage policy allows at once.`,
          1,
        );
      this.#inflight.set(user, running + 1);
    }
    const now = this.#clock.now();
    const estimated = this.#estimatedUse(model, estimate, policy.costed);
    const charges: Charge[] = policy.limits.map(([limit, max]) => ({
      subject: user,
      limit,
      windowStart: windowOf(limit, now).start,
      amount: estimated[unitOf(limit)],
      max,
    }));
    if (charges.length > 0) {
      let outcome: Awaited<ReturnType<UsageLedger["reserve"]>>;
      try {
        outcome = await this.#ledger.reserve(charges);
      } catch (error) {
        this.#leave(user, cap);
        this.#ledgerDown("usage limits could not be checked", { error: describeError(error) });
        return refuse("unavailable", "Usage limits cannot be checked right now.", 5);
      }
      if (!outcome.ok) {
        this.#leave(user, cap);
        const { limit, max } = outcome.refused;
        const wait = Math.max(1, Math.ceil((windowOf(limit, now).end - now) / 1000));
        return refuse(
          "rate_limit",
          `You have reached your usage limit of ${describeLimit(limit, max)}. It frees up in ${describeWait(wait)}.`,
          wait,
        );
      }
    }
    return { ok: true, reservation: this.#reservation(user, cap, model, charges, estimated, policy.costed) };
  }

  #reservation(
    user: string,
    cap: number | null,
    model: string,
    charges: readonly Charge[],
    estimated: Use,
    costed: boolean,
  ): Reservation {
    let settled = false;
    return {
      settle: (summary) => {
        if (settled) return;
        settled = true;
        this.#leave(user, cap);
        if (charges.length === 0) return;
        const used = this.#realUse(summary, summary.responseModel ?? model, costed);
        // Cut off after it reached the upstream but before the final usage came: the provider
        // bills what it generated, which nobody saw. The estimate stays, unless more was seen.
        const unreported =
          summary.attempts > 0 && (summary.status === "client_cancelled" || summary.status === "timeout");
        const adjustments: Adjustment[] = [];
        for (const charge of charges) {
          const unit = unitOf(charge.limit);
          const delta = unreported ? Math.max(0, used[unit] - estimated[unit]) : used[unit] - estimated[unit];
          if (delta !== 0) adjustments.push({ ...charge, delta });
        }
        if (adjustments.length === 0) return;
        this.#ledger.settle(adjustments).catch((error: unknown) => {
          this.#logger.error("usage settlement failed", { error: describeError(error) });
        });
      },
    };
  }

  #leave(user: string, cap: number | null): void {
    if (cap === null) return;
    const running = (this.#inflight.get(user) ?? 1) - 1;
    if (running > 0) this.#inflight.set(user, running);
    else this.#inflight.delete(user);
  }

  #estimatedUse(model: string, estimate: RequestEstimate, costed: boolean): Use {
    const tokens = estimate.inputTokens + estimate.outputTokens;
    const prices = costed ? this.#pricesOf(model) : null;
    const usd =
      prices === null
        ? 0
        : costMicroUsd(
            {
              input: estimate.inputTokens,
              output: estimate.outputTokens,
              cacheRead: 0,
              cacheWrite: 0,
              reasoning: 0,
            },
            prices,
          );
    return { requests: 1, tokens, usd };
  }

  /** A request that never reached the upstream costs nothing, not even its request. */
  #realUse(summary: InterceptionSummary, model: string, costed: boolean): Use {
    if (summary.attempts === 0) return { requests: 0, tokens: 0, usd: 0 };
    const t: TokenUsage = summary.tokens;
    const prices = costed ? this.#pricesOf(model) : null;
    return {
      requests: 1,
      tokens: t.input + t.output + t.cacheRead + t.cacheWrite,
      usd: prices === null ? 0 : costMicroUsd(t, prices),
    };
  }

  #pricesOf(model: string) {
    const prices = this.#pricing.pricesOf(model);
    if (prices === null && !this.#unpriced.has(model) && this.#unpriced.size < 1_000) {
      this.#unpriced.add(model);
      this.#logger.warn("model has no price; its use counts as 0 against USD budgets", { model });
    }
    return prices;
  }
}

type Use = Readonly<Record<LimitUnit, number>>;

const NOTHING_RESERVED: Reservation = { settle() {} };

/**
 * A refusal's headers. A wait within the horizon is `retry-after`: every client waits it out and
 * tries again. A longer one (a budget that resets at midnight or at the month's end) is
 * `x-should-retry: false` and no `retry-after`: the SDKs and Claude Code stop on the former, and
 * Codex, which ignores it, sleeps out any `retry-after` however long (measured: its log planned a
 * first wait of the seconds to the month's end, one of five), but gives up at once on a 429 without one
 * (docs/policies.md). The message says when the limit frees up.
 */
function refuse(
  kind: "permission" | "rate_limit" | "unavailable",
  message: string,
  waitS?: number,
): Admission {
  const headers: Record<string, string> =
    waitS === undefined
      ? {}
      : waitS > RETRY_HORIZON_S
        ? { "x-should-retry": "false" }
        : { "retry-after": String(waitS) };
  return { ok: false, error: gatewayError(kind, message), headers };
}

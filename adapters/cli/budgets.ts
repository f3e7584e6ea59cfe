import { auditedSpend, auditedSpendSince, type WindowUse } from "../../core/policy/audited-spend.ts";
import { effectivePolicy, unitOf } from "../../core/policy/policy.ts";
import { Pricing } from "../../core/policy/pricing.ts";
import type { LimitName } from "../../core/ports/usage-ledger.ts";
import type { SqlStore } from "../../core/store/sql-store.ts";
import type { Settings } from "../config/load.ts";
import type { Output } from "./output.ts";
import { human } from "./printable.ts";
import { type Format, RecordWriter } from "./records.ts";

/** One user's spend against one budget, as `causeway usage --budgets` prints it. */
export interface BudgetRow {
  user: string;
  limit: LimitName;
  /** Tokens, or USD. */
  used: number;
  /** null: no limit of this kind applies. */
  max: number | null;
  remaining: number | null;
  resets_at: string;
}

/**
 * `causeway usage --budgets`: each user's spend in the open day and month windows, from the audit
 * and the configured prices, against the limits `policies` sets for them. Limits of `default` and
 * `users.<name>`: a user's groups come from their identity provider at request time and are not
 * stored, so group limits are not shown here (docs/policies.md).
 */
export async function printBudgets(
  store: SqlStore,
  out: Output,
  settings: Settings,
  format: Format,
  user: string | undefined,
): Promise<void> {
  const now = Date.now();
  const rows = await store.spendSince(auditedSpendSince(now));
  const uses = auditedSpend(rows, new Pricing(settings.pricing), now).filter(
    (u) => user === undefined || u.userName === user,
  );
  const records = new RecordWriter<BudgetRow>(out, format);
  if (format === "text")
    await out.line(
      `${"user".padEnd(24)} ${"budget".padEnd(14)} ${"used".padStart(14)} ${"of".padStart(14)}  resets`,
    );
  for (const use of uses) await records.add(budgetRow(use, settings), budgetLine);
  await records.end();
}

function budgetRow(use: WindowUse, settings: Settings): BudgetRow {
  const policy = effectivePolicy(settings.policies, use.userName, []);
  const max = policy.limits.find(([limit]) => limit === use.limit)?.[1] ?? null;
  const unit = unitOf(use.limit) === "usd" ? 1e6 : 1;
  const used = use.used / unit;
  return {
    user: use.userName,
    limit: use.limit,
    used,
    max: max === null ? null : max / unit,
    remaining: max === null ? null : Math.max(0, max - use.used) / unit,
    resets_at: new Date(use.windowEnd).toISOString(),
  };
}

function budgetLine(row: BudgetRow) {
  const show = (n: number | null) =>
    n === null ? "-" : unitOf(row.limit) === "usd" ? `$${n.toFixed(2)}` : String(n);
  return human`${row.user.padEnd(24)} ${row.limit.padEnd(14)} ${show(row.used).padStart(14)} ${show(row.max).padStart(14)}  ${row.resets_at}`;
}

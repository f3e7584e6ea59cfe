import type { SqlStore } from "../../core/store/sql-store.ts";
import type { InterceptionView, UsageGrouping, UsageRow } from "../../core/store/views.ts";
import type { Settings } from "../config/load.ts";
import { noPositionals, parseFlags, parseLimit, parseSince, subcommand, UsageError } from "./args.ts";
import { printBudgets } from "./budgets.ts";
import type { Output } from "./output.ts";
import { type HumanText, human } from "./printable.ts";
import { parseFormat, RecordWriter } from "./records.ts";

/**
 * A command's arguments, checked: what is left to do against the store. Parsing never opens the
 * store, so a usage error leaves no database file behind.
 */
export type StoreWork = (store: SqlStore, out: Output, settings: Settings) => Promise<void>;

export const INTERCEPTIONS_HELP = `Usage:
  causeway interceptions list [--user NAME] [--since ISO] [--limit N] [--json | --format text|json|jsonl]

Lists audited requests, newest first.
  --user NAME     only NAME's requests
  --since ISO     only requests started at or after this date or time
  --limit N       at most N records (default 50)
  --json          a JSON array of records (same as --format json)
  --format jsonl  one JSON record a line, for jq, scripts and log shippers
  --format text   one line a record (the default)
Records are written one at a time as they are read, whatever N is.`;

export const USAGE_HELP = `Usage:
  causeway usage [--by user|model|day] [--since ISO] [--json | --format text|json|jsonl]
  causeway usage --budgets [--user NAME] [--json | --format text|json|jsonl]

Token totals per user (the default), model or UTC day.
  --since ISO     only requests started at or after this date or time
  --budgets       each user's spend today and this month (tokens, USD at the configured
                  prices) against the limits \`policies\` sets them (docs/policies.md)
  --user NAME     with --budgets: only NAME
  --json          a JSON array of rows (same as --format json)
  --format jsonl  one JSON row a line`;

/** Rows read from the store per query: memory stays flat whatever --limit is. */
export const PAGE_SIZE = 500;

/** `causeway interceptions list [--user NAME] [--since ISO] [--limit N] [--json | --format F]`. */
export function interceptionsCommand(args: string[]): StoreWork {
  const [action, ...rest] = args;
  subcommand("interceptions", action, ["list"], INTERCEPTIONS_HELP);
  const { values, positionals } = parseFlags(rest, {
    user: { type: "string" },
    since: { type: "string" },
    limit: { type: "string" },
    json: { type: "boolean" },
    format: { type: "string" },
  });
  noPositionals(positionals);
  const format = parseFormat(values.format, values.json);
  const user = values.user;
  const since = parseSince(values.since);
  const limit = parseLimit(values.limit, 50);
  return async (store, out) => {
    const records = new RecordWriter<InterceptionView>(out, format);
    let left = limit;
    let before: { startedAt: number; id: string } | undefined;
    while (left > 0) {
      const want = Math.min(PAGE_SIZE, left);
      const rows = await store.listInterceptions({ user, since, before, limit: want });
      for (const row of rows) await records.add(row, interceptionLine);
      left -= rows.length;
      const last = rows.at(-1);
      if (rows.length < want || !last) break;
      before = { startedAt: Date.parse(last.started_at), id: last.id };
    }
    await records.end();
  };
}

/** `causeway usage [--by user|model|day] [--since ISO] [--json | --format F]`. */
export function usageCommand(args: string[]): StoreWork {
  const { values, positionals } = parseFlags(args, {
    by: { type: "string" },
    since: { type: "string" },
    json: { type: "boolean" },
    format: { type: "string" },
    budgets: { type: "boolean" },
    user: { type: "string" },
  });
  noPositionals(positionals);
  const format = parseFormat(values.format, values.json);
  if (values.budgets) {
    if (values.by !== undefined || values.since !== undefined)
      throw new UsageError("--budgets: the windows are today and this month; --by and --since do not apply");
    const user = values.user;
    return (store, out, settings) => printBudgets(store, out, settings, format, user);
  }
  if (values.user !== undefined) throw new UsageError("--user: only with --budgets (or use --by user)");
  const by = (values.by ?? "user") as UsageGrouping;
  if (!["user", "model", "day"].includes(by))
    throw new UsageError(`--by: expected user, model or day, got "${by}"`);
  const since = parseSince(values.since);
  return async (store, out) => {
    const rows = await store.usage(by, since);
    const records = new RecordWriter<UsageRow>(out, format);
    if (format === "text")
      await out.line(`${by.padEnd(24)} requests      input     output  cache_read cache_write  reasoning`);
    for (const row of rows)
      await records.add(row, (r) => {
        const t = r.tokens;
        const numbers = [t.input, t.output, t.cache_read, t.cache_write, t.reasoning];
        return human`${r.key.padEnd(24)} ${String(r.interceptions).padStart(8)} ${numbers.map((n) => String(n).padStart(10)).join(" ")}`;
      });
    await records.end();
  };
}

function interceptionLine(r: InterceptionView): HumanText {
  const t = r.tokens;
  return human`${r.started_at}  ${r.id}  ${r.user}  ${r.api}  ${r.model}  ${r.status ?? "open"}  in=${t.input} out=${t.output} cache_read=${t.cache_read} cache_write=${t.cache_write}`;
}

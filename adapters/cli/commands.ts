import { hashKey, keyHint, newKey } from "../../core/auth/keys.ts";
import type { SqlStore } from "../../core/store/sql-store.ts";
import type { InterceptionView, UsageGrouping, UsageRow } from "../../core/store/views.ts";
import { parseFlags, parseLimit, parseSince, UsageError } from "./args.ts";
import type { Output } from "./output.ts";

/**
 * A command's arguments, checked: what is left to do against the store. Parsing never opens the
 * store, so a usage error leaves no database file behind.
 */
export type StoreWork = (store: SqlStore, out: Output) => Promise<void>;

/** How a record-printing command prints: a text table, one JSON array, or one JSON object a line. */
type Format = "text" | "json" | "jsonl";

export const USERS_HELP = `Usage:
  causeway users create NAME [--admin] [--json]
  causeway users revoke NAME [--json]

create   adds user NAME and prints a new key for them, once (only its hash is stored).
         --admin   the user gets the admin role
         --json    print {"user": NAME, "token": KEY}
revoke   revokes every key of NAME; it stops working within auth.cache_ttl_ms.
         --json    print {"user": NAME, "revoked": COUNT}`;

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

Token totals per user (the default), model or UTC day.
  --since ISO     only requests started at or after this date or time
  --json          a JSON array of rows (same as --format json)
  --format jsonl  one JSON row a line`;

/** `causeway users create NAME [--admin] [--json]` and `causeway users revoke NAME`. */
export function usersCommand(args: string[]): StoreWork {
  const [action, ...rest] = args;
  subcommand("users", action, ["create", "revoke"], USERS_HELP);
  const { values, positionals } = parseFlags(rest, {
    admin: { type: "boolean" },
    json: { type: "boolean" },
  });
  const name = positionals[0];
  if (!name || positionals.length > 1)
    throw new UsageError(
      `usage: causeway users ${action} NAME${action === "create" ? " [--admin]" : ""} [--json]`,
    );
  if (action === "revoke" && values.admin) throw new UsageError("--admin: only for users create");
  if (action === "create") {
    if (!/^[A-Za-z0-9._@-]{1,128}$/.test(name))
      throw new UsageError("NAME: 1-128 letters, digits, '.', '_', '@' or '-'");
    return async (store, out) => {
      if (await store.userExists(name)) throw new UsageError(`user "${name}" already exists`);
      const token = newKey(crypto.getRandomValues(new Uint8Array(32)));
      await store.createUser(
        { id: `usr_${crypto.randomUUID()}`, name, isAdmin: values.admin === true, now: Date.now() },
        { hash: await hashKey(token), prefix: keyHint(token) },
      );
      await out.line(
        values.json
          ? JSON.stringify({ user: name, token })
          : `Created user ${name}. Their key (shown once, store it now):\n${token}`,
      );
    };
  }
  return async (store, out) => {
    const revoked = await store.revokeKeys(name, Date.now());
    await out.line(
      values.json ? JSON.stringify({ user: name, revoked }) : `Revoked ${revoked} key(s) of ${name}.`,
    );
  };
}

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
  });
  noPositionals(positionals);
  const format = parseFormat(values.format, values.json);
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
        return `${r.key.padEnd(24)} ${String(r.interceptions).padStart(8)} ${[t.input, t.output, t.cache_read, t.cache_write, t.reasoning].map((n) => String(n).padStart(10)).join(" ")}`;
      });
    await records.end();
  };
}

function interceptionLine(r: InterceptionView): string {
  const t = r.tokens;
  return `${r.started_at}  ${r.id}  ${r.user}  ${r.api}  ${r.model}  ${r.status ?? "open"}  in=${t.input} out=${t.output} cache_read=${t.cache_read} cache_write=${t.cache_write}`;
}

/** Refuses a missing or unknown subcommand of `command`, with the command's help. */
function subcommand<const A extends string>(
  command: string,
  action: string | undefined,
  known: readonly A[],
  help: string,
): asserts action is A {
  if (action !== undefined && (known as readonly string[]).includes(action)) return;
  throw new UsageError(
    action === undefined
      ? `a subcommand is required\n\n${help}`
      : `unknown ${command} subcommand "${action}"\n\n${help}`,
  );
}

function noPositionals(positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
}

function parseFormat(format: string | undefined, json: boolean | undefined): Format {
  if (format === undefined) return json ? "json" : "text";
  if (format !== "text" && format !== "json" && format !== "jsonl")
    throw new UsageError(`--format: expected text, json or jsonl, got "${format}"`);
  if (json && format !== "json") throw new UsageError(`--json and --format ${format} disagree`);
  return format;
}

/**
 * Writes records one at a time. `json` is byte for byte what JSON.stringify(records, null, 2)
 * gives for the whole array (the --json contract), without ever holding the array or its text.
 */
class RecordWriter<T> {
  private count = 0;
  private readonly out: Output;
  private readonly format: Format;
  constructor(out: Output, format: Format) {
    this.out = out;
    this.format = format;
  }

  async add(record: T, text: (record: T) => string): Promise<void> {
    const first = this.count++ === 0;
    if (this.format === "text") return this.out.line(text(record));
    if (this.format === "jsonl") return this.out.line(JSON.stringify(record));
    // JSON strings never hold a raw newline, so re-indenting by lines is exact.
    const item = `  ${JSON.stringify(record, null, 2).replaceAll("\n", "\n  ")}`;
    return this.out.write(first ? `[\n${item}` : `,\n${item}`);
  }

  async end(): Promise<void> {
    if (this.format !== "json") return;
    await this.out.write(this.count === 0 ? "[]\n" : "\n]\n");
  }
}

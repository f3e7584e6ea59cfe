import { hashKey, keyHint, newKey } from "../../core/auth/keys.ts";
import type { SqlStore } from "../../core/store/sql-store.ts";
import type { UsageGrouping } from "../../core/store/views.ts";
import { parseFlags, parseLimit, parseSince, UsageError } from "./args.ts";

type Print = (text: string) => void;

/** `causeway users create NAME [--admin] [--json]` and `causeway users revoke NAME`. */
export async function usersCommand(store: SqlStore, args: string[], print: Print): Promise<void> {
  const [action, ...rest] = args;
  const { values, positionals } = parseFlags(rest, { admin: { type: "boolean" }, json: { type: "boolean" } });
  const name = positionals[0];
  if (!name || positionals.length > 1)
    throw new UsageError(`usage: causeway users ${action ?? "create"} NAME`);
  if (action === "create") {
    if (!/^[A-Za-z0-9._@-]{1,128}$/.test(name))
      throw new UsageError("NAME: 1-128 letters, digits, '.', '_', '@' or '-'");
    if (await store.userExists(name)) throw new UsageError(`user "${name}" already exists`);
    const token = newKey(crypto.getRandomValues(new Uint8Array(32)));
    await store.createUser(
      { id: `usr_${crypto.randomUUID()}`, name, isAdmin: values.admin === true, now: Date.now() },
      { hash: await hashKey(token), prefix: keyHint(token) },
    );
    print(
      values.json
        ? JSON.stringify({ user: name, token })
        : `Created user ${name}. Their key (shown once, store it now):\n${token}`,
    );
    return;
  }
  if (action === "revoke") {
    const revoked = await store.revokeKeys(name, Date.now());
    print(values.json ? JSON.stringify({ user: name, revoked }) : `Revoked ${revoked} key(s) of ${name}.`);
    return;
  }
  throw new UsageError("usage: causeway users create NAME [--admin] [--json] | causeway users revoke NAME");
}

/** `causeway interceptions list [--user NAME] [--since ISO] [--limit N] [--json]`. */
export async function interceptionsCommand(store: SqlStore, args: string[], print: Print): Promise<void> {
  const [action, ...rest] = args;
  if (action !== "list")
    throw new UsageError("usage: causeway interceptions list [--user NAME] [--since ISO] [--limit N] --json");
  const { values } = parseFlags(rest, {
    user: { type: "string" },
    since: { type: "string" },
    limit: { type: "string" },
    json: { type: "boolean" },
  });
  const rows = await store.listInterceptions({
    user: values.user,
    since: parseSince(values.since),
    limit: parseLimit(values.limit, 50),
  });
  if (values.json) return print(JSON.stringify(rows, null, 2));
  for (const r of rows) {
    const t = r.tokens;
    print(
      `${r.started_at}  ${r.id}  ${r.user}  ${r.api}  ${r.model}  ${r.status ?? "open"}  in=${t.input} out=${t.output} cache_read=${t.cache_read} cache_write=${t.cache_write}`,
    );
  }
}

/** `causeway usage [--by user|model|day] [--since ISO] [--json]`. */
export async function usageCommand(store: SqlStore, args: string[], print: Print): Promise<void> {
  const { values } = parseFlags(args, {
    by: { type: "string" },
    since: { type: "string" },
    json: { type: "boolean" },
  });
  const by = (values.by ?? "user") as UsageGrouping;
  if (!["user", "model", "day"].includes(by))
    throw new UsageError(`--by: expected user, model or day, got "${by}"`);
  const rows = await store.usage(by, parseSince(values.since));
  if (values.json) return print(JSON.stringify(rows, null, 2));
  print(`${by.padEnd(24)} requests      input     output  cache_read cache_write  reasoning`);
  for (const r of rows) {
    const t = r.tokens;
    print(
      `${r.key.padEnd(24)} ${String(r.interceptions).padStart(8)} ${[t.input, t.output, t.cache_read, t.cache_write, t.reasoning].map((n) => String(n).padStart(10)).join(" ")}`,
    );
  }
}

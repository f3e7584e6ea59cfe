import { hashKey, keyHint, newKey } from "../../core/auth/keys.ts";
import { modelScope } from "../../core/auth/model-scopes.ts";
import type { NewKey } from "../../core/store/user-store.ts";
import type { KeyView, UserView } from "../../core/store/views.ts";
import { safeJson } from "../runtime/safe-json.ts";
import { noPositionals, parseFlags, subcommand, UsageError } from "./args.ts";
import type { StoreWork } from "./commands.ts";
import { type HumanText, human } from "./printable.ts";
import { parseFormat, RecordWriter } from "./records.ts";

export const USERS_HELP = `Usage:
  causeway users create NAME [--admin] [--json]
  causeway users revoke NAME [--json]
  causeway users disable NAME
  causeway users enable NAME
  causeway users list [--json | --format text|json|jsonl]

create   adds user NAME and prints a first key for them, once (only its hash is stored).
         More keys: causeway keys create NAME.
         --admin   the user gets the admin role
         --json    print {"user": NAME, "token": KEY}
revoke   revokes every key of NAME. Keys, revocations and disabled users reach every
         instance within auth.cache_ttl_ms.
         --json    print {"user": NAME, "revoked": COUNT}
disable  refuses every credential of NAME (keys, JWTs, introspected tokens) until enabled.
enable   lets NAME in again (keys revoked meanwhile stay revoked).
list     every user: admin, disabled, origin (local or the identity provider), active keys.`;

export const KEYS_HELP = `Usage:
  causeway keys create NAME [--expires ISO | --ttl DURATION] [--models REGEX]... [--json]
  causeway keys list [--user NAME] [--json | --format text|json|jsonl]
  causeway keys revoke KEY_ID [--json]

create   a new key for user NAME, printed once (only its hash is stored).
         --expires ISO     the key stops working at this date or time
         --ttl DURATION    ... or after this long: 90s, 30m, 12h, 30d
         --models REGEX    the key may only use models this regular expression matches
                           whole (repeat for several), e.g. --models 'claude-sonnet-.*'
         --json            print {"user", "key_id", "token", "expires_at"}
list     keys with their id, status, expiry and scopes; never the secret.
revoke   the key stops working (on every instance within auth.cache_ttl_ms).`;

const NAME = /^[A-Za-z0-9._@-]{1,128}$/;
const DURATION = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `causeway users create|revoke|disable|enable|list`. */
export function usersCommand(args: string[]): StoreWork {
  const [action, ...rest] = args;
  subcommand("users", action, ["create", "revoke", "disable", "enable", "list"], USERS_HELP);
  const { values, positionals } = parseFlags(rest, {
    admin: { type: "boolean" },
    json: { type: "boolean" },
    format: { type: "string" },
  });
  if (values.admin && action !== "create") throw new UsageError("--admin: only for users create");
  if (values.format !== undefined && action !== "list") throw new UsageError("--format: only for users list");
  if (action === "list") {
    noPositionals(positionals);
    const format = parseFormat(values.format, values.json);
    return async (store, out) => {
      const records = new RecordWriter<UserView>(out, format);
      for (const user of await store.users.listUsers(Date.now())) await records.add(user, userLine);
      await records.end();
    };
  }
  const name = onlyName(
    positionals,
    `users ${action} NAME${action === "create" ? " [--admin]" : ""} [--json]`,
  );
  if (action === "create") {
    if (!NAME.test(name)) throw new UsageError("NAME: 1-128 letters, digits, '.', '_', '@' or '-'");
    return async (store, out) => {
      if (await store.users.userByName(name))
        throw new Error(
          `user "${name}" already exists; give them another key with: causeway keys create ${name}`,
        );
      const { token, key } = await mintKey(null, []);
      const keyId = await store.users.createUser(
        { id: `usr_${crypto.randomUUID()}`, name, isAdmin: values.admin === true },
        key,
        Date.now(),
      );
      await out.line(
        values.json
          ? safeJson({ user: name, token })
          : human`Created user ${name}. Their key ${keyId} (shown once, store it now):\n${token}`,
      );
    };
  }
  if (action === "revoke") {
    return async (store, out) => {
      const revoked = await store.users.revokeKeys(name, Date.now());
      await out.line(
        values.json ? safeJson({ user: name, revoked }) : human`Revoked ${revoked} key(s) of ${name}.`,
      );
    };
  }
  const disable = action === "disable";
  return async (store, out) => {
    if (!(await store.users.setDisabled(name, disable ? Date.now() : null)))
      throw new Error(`no user "${name}"`);
    await out.line(
      values.json
        ? safeJson({ user: name, disabled: disable })
        : human`${disable ? "Disabled" : "Enabled"} ${name}.`,
    );
  };
}

/** `causeway keys create|list|revoke`. */
export function keysCommand(args: string[]): StoreWork {
  const [action, ...rest] = args;
  subcommand("keys", action, ["create", "list", "revoke"], KEYS_HELP);
  const { values, positionals } = parseFlags(rest, {
    expires: { type: "string" },
    ttl: { type: "string" },
    models: { type: "string", multiple: true },
    user: { type: "string" },
    json: { type: "boolean" },
    format: { type: "string" },
  });
  const only = (flags: string[], allowed: string) => {
    for (const flag of flags)
      if ((values as Record<string, unknown>)[flag] !== undefined)
        throw new UsageError(`--${flag}: only for keys ${allowed}`);
  };
  if (action === "list") {
    only(["expires", "ttl", "models"], "create");
    noPositionals(positionals);
    const format = parseFormat(values.format, values.json);
    return async (store, out) => {
      const records = new RecordWriter<KeyView>(out, format);
      for (const key of await store.users.listKeys(values.user, Date.now())) await records.add(key, keyLine);
      await records.end();
    };
  }
  only(["user", "format"], "list");
  if (action === "revoke") {
    only(["expires", "ttl", "models"], "create");
    const keyId = onlyName(positionals, "keys revoke KEY_ID [--json]");
    return async (store, out) => {
      const outcome = await store.users.revokeKey(keyId, Date.now());
      if (outcome === "unknown") throw new Error(`no key "${keyId}" (see causeway keys list)`);
      await out.line(
        values.json
          ? safeJson({ key_id: keyId, revoked: true })
          : outcome === "revoked"
            ? human`Revoked ${keyId}.`
            : human`${keyId} was already revoked.`,
      );
    };
  }
  const name = onlyName(
    positionals,
    "keys create NAME [--expires ISO | --ttl DURATION] [--models REGEX]... [--json]",
  );
  const models = values.models ?? [];
  for (const source of models) {
    try {
      modelScope(source);
    } catch {
      throw new UsageError(`--models: "${source}" is not a valid regular expression`);
    }
  }
  const expiresAt = parseExpiry(values.expires, values.ttl, Date.now());
  return async (store, out) => {
    const user = await store.users.userByName(name);
    if (!user) throw new Error(`no user "${name}" (create them with: causeway users create ${name})`);
    const { token, key } = await mintKey(expiresAt, models);
    const keyId = await store.users.createKey(user.id, key, Date.now());
    const expires = expiresAt === null ? null : new Date(expiresAt).toISOString();
    await out.line(
      values.json
        ? safeJson({ user: name, key_id: keyId, token, expires_at: expires })
        : human`Created key ${keyId} for ${name}${expires ? `, expiring ${expires}` : ""}${
            models.length ? `, for models ${models.join(", ")}` : ""
          }. The key (shown once, store it now):\n${token}`,
    );
  };
}

async function mintKey(
  expiresAt: number | null,
  models: readonly string[],
): Promise<{ token: string; key: NewKey }> {
  const token = newKey(crypto.getRandomValues(new Uint8Array(32)));
  return { token, key: { hash: await hashKey(token), prefix: keyHint(token), expiresAt, models } };
}

function onlyName(positionals: string[], usage: string): string {
  const name = positionals[0];
  if (!name || positionals.length > 1) throw new UsageError(`usage: causeway ${usage}`);
  return name;
}

function parseExpiry(expires: string | undefined, ttl: string | undefined, now: number): number | null {
  if (expires !== undefined && ttl !== undefined)
    throw new UsageError("--expires and --ttl: give one of them");
  if (ttl !== undefined) {
    const match = DURATION.exec(ttl);
    if (!match || Number(match[1]) === 0)
      throw new UsageError(`--ttl: expected a duration such as 90s, 30m, 12h or 30d, got "${ttl}"`);
    return now + Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  if (expires === undefined) return null;
  const at = Date.parse(expires);
  if (Number.isNaN(at)) throw new UsageError(`--expires: expected an ISO date or time, got "${expires}"`);
  if (at <= now) throw new UsageError(`--expires: ${expires} is already past`);
  return at;
}

function keyLine(k: KeyView): HumanText {
  const scopes = k.models.length ? `  models=${k.models.join(",")}` : "";
  return human`${k.key_id}  ${k.user}  ${k.prefix}…  ${k.status}  created=${k.created_at}  expires=${k.expires_at ?? "never"}${scopes}`;
}

function userLine(u: UserView): HumanText {
  const flags = [u.admin ? "admin" : "", u.disabled ? "disabled" : ""].filter(Boolean).join(",");
  return human`${u.user}  ${u.origin}  keys=${u.active_keys}${flags ? `  ${flags}` : ""}  created=${u.created_at}`;
}

import type { Principal } from "../../core/ports/auth.ts";

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const USER_REF = /\$\{user\.(id|name)\}/g;

/**
 * MCP server header templates. `${NAME}` reads the environment once, at startup (a missing
 * variable disables that server, with a log line naming the variable, never its value).
 * `${user.id}` and `${user.name}` are filled per calling user, so such servers get one
 * connection per user (MCP-03). Nothing else is ever sent: no client or provider credential.
 */
export interface HeaderTemplate {
  readonly headers: Readonly<Record<string, string>>;
  /** True when a value depends on the calling user. */
  readonly perUser: boolean;
}

export function resolveEnvHeaders(
  headers: Readonly<Record<string, string>>,
  env: Record<string, string | undefined>,
): HeaderTemplate {
  const out: Record<string, string> = {};
  let perUser = false;
  for (const [name, value] of Object.entries(headers)) {
    out[name] = value.replace(ENV_REF, (_, key: string) => {
      const found = env[key];
      if (found === undefined) throw new Error(`header ${name}: environment variable ${key} is not set`);
      return found;
    });
    if (USER_REF.test(value)) perUser = true;
    USER_REF.lastIndex = 0;
  }
  return { headers: out, perUser };
}

/** The headers for one user; header values must stay single-line (no header injection). */
export function userHeaders(template: HeaderTemplate, principal: Principal): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(template.headers)) {
    const filled = value.replace(USER_REF, (_, field: "id" | "name") =>
      field === "id" ? principal.userId : principal.name,
    );
    out[name] = filled.replace(/[\r\n]/g, "");
  }
  return out;
}

/** A tool name is offered when it matches an allow pattern (if any) and no deny pattern. */
export function toolAllowed(name: string, allow: readonly RegExp[], deny: readonly RegExp[]): boolean {
  if (deny.some((pattern) => pattern.test(name))) return false;
  return allow.length === 0 || allow.some((pattern) => pattern.test(name));
}

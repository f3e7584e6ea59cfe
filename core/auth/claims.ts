import type { Directory, UserRecord } from "../ports/directory.ts";
import { describeError, type Verdict } from "./verifier.ts";

/**
 * Reading identity fields out of a JWT payload or an introspection answer. A field is named
 * either literally (Auth0's namespaced claims are URLs full of dots) or as a dotted path
 * (Keycloak's `realm_access.roles`); the literal name wins.
 */
export function readField(source: Record<string, unknown>, name: string): unknown {
  if (name in source) return source[name];
  let value: unknown = source;
  for (const part of name.split(".")) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A string field, or a number (some providers give numeric user ids); anything else is absent. */
export function readText(source: Record<string, unknown>, name: string): string | null {
  const value = readField(source, name);
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

/**
 * A user name from an identity provider, as audited and printed: control characters (terminal
 * escapes, newlines) removed, at most 128 characters. Null when nothing printable is left.
 */
export function readName(source: Record<string, unknown>, name: string): string | null {
  const text = readText(source, name);
  if (text === null) return null;
  let printable = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x20 && (code < 0x7f || code > 0x9f)) printable += char;
  }
  const clean = printable.trim().slice(0, 128);
  return clean === "" ? null : clean;
}

/**
 * Groups: an array of strings, or of objects with a `name` (Coder's `roles`), or one string
 * (some providers send a single group as a plain claim). At most 256, each at most 256 chars.
 */
export function readGroups(source: Record<string, unknown>, name: string): string[] {
  const value = readField(source, name);
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const groups: string[] = [];
  for (const item of items) {
    const group =
      typeof item === "string"
        ? item
        : typeof item === "object" && item !== null && typeof (item as { name?: unknown }).name === "string"
          ? (item as { name: string }).name
          : null;
    if (group !== null && group !== "" && group.length <= 256) groups.push(group);
    if (groups.length === 256) break;
  }
  return groups;
}

/** Where a provider's answer names the user, their display name and their groups. */
export interface IdentityFields {
  readonly user: string;
  readonly name: string;
  readonly groups: string;
  readonly adminGroups: readonly string[];
}

/**
 * The verdict on a principal an identity provider vouched for (a verified JWT's claims, an
 * introspection answer): its user, found or created just in time by `origin` and `subject`, is
 * refused when disabled; admin when in one of `adminGroups`. The store down is `unavailable`.
 */
export async function vouchedVerdict(
  directory: Directory,
  identity: { readonly origin: string; readonly subject: string; readonly method: "jwt" | "introspection" },
  source: Record<string, unknown>,
  fields: IdentityFields,
  window: { readonly now: number; readonly acceptedUntil: number; readonly rejectedUntil: number },
): Promise<Verdict> {
  const name = readName(source, fields.name) ?? readName(source, fields.user) ?? "unnamed";
  const groups = readGroups(source, fields.groups);
  let user: UserRecord;
  try {
    user = await directory.externalUser(
      { origin: identity.origin, subject: identity.subject, name },
      window.now,
    );
  } catch (error) {
    return { kind: "unavailable", reason: `store: ${describeError(error)}` };
  }
  if (user.disabled) return { kind: "rejected", until: window.rejectedUntil };
  const admin = user.isAdmin || groups.some((group) => fields.adminGroups.includes(group));
  return {
    kind: "accepted",
    principal: {
      userId: user.id,
      name: user.name,
      roles: admin ? ["admin"] : [],
      groups,
      auth: { method: identity.method, keyId: null },
    },
    until: window.acceptedUntil,
  };
}

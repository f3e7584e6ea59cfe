import type { IntrospectionSettings } from "../../core/auth/introspection-verifier.ts";
import { DEFAULT_JWT_ALGORITHMS, type JwtSettings } from "../../core/auth/jwt-verifier.ts";
import type { AuthMethod } from "../../core/ports/auth.ts";
import { ConfigError } from "./errors.ts";
import type { AuthConfig } from "./schema.ts";

/** `auth:` resolved: the method chain in order, and the settings of each method it names. */
export interface AuthSettings {
  readonly methods: readonly AuthMethod[];
  /** How long a key's verdict is reused: revocations and disabled users apply within it. */
  readonly cacheTtlMs: number;
  readonly jwt: JwtSettings | null;
  readonly introspection: IntrospectionSettings | null;
}

const DEFAULT_CACHE_TTL_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * A method listed without its settings, or settings for a method not listed, is an error: either
 * would leave an operator wondering why tokens are refused.
 */
export function resolveAuth(file: AuthConfig | undefined): AuthSettings {
  const methods = file?.methods ?? ["keys"];
  const cacheTtlMs = file?.cache_ttl_ms ?? DEFAULT_CACHE_TTL_MS;
  for (const method of ["jwt", "introspection"] as const) {
    const listed = methods.includes(method);
    if (listed && !file?.[method])
      throw new ConfigError(`config: auth.${method}: required when auth.methods lists ${method}`);
    if (!listed && file?.[method])
      throw new ConfigError(`config: auth.methods: lists no ${method}, but auth.${method} is set`);
  }
  const jwt = file?.jwt;
  const introspection = file?.introspection;
  return {
    methods,
    cacheTtlMs,
    jwt: jwt
      ? {
          issuer: jwt.issuer,
          audience: jwt.audience,
          jwksUrl: jwt.jwks_url ?? null,
          userClaim: jwt.user_claim ?? "sub",
          nameClaim: jwt.name_claim ?? "preferred_username",
          groupsClaim: jwt.groups_claim ?? "groups",
          adminGroups: jwt.admin_groups ?? [],
          algorithms: jwt.algorithms ?? DEFAULT_JWT_ALGORITHMS,
          clockSkewMs: (jwt.clock_skew_s ?? 30) * 1000,
          cacheTtlMs,
          timeoutMs: jwt.timeout_ms ?? DEFAULT_TIMEOUT_MS,
        }
      : null,
    introspection: introspection
      ? {
          url: introspection.url,
          header: introspection.header ?? "Authorization",
          // The contract's default is `Authorization: Bearer TOKEN`; a custom header (Coder's
          // `Coder-Session-Token`) carries the bare token unless a scheme is given.
          scheme:
            introspection.scheme ??
            ((introspection.header ?? "authorization").toLowerCase() === "authorization" ? "Bearer" : ""),
          userField: introspection.user_field ?? "username",
          nameField: introspection.name_field ?? introspection.user_field ?? "username",
          groupsField: introspection.groups_field ?? "roles",
          adminGroups: introspection.admin_groups ?? [],
          cacheTtlMs: introspection.cache_ttl_ms ?? DEFAULT_CACHE_TTL_MS,
          timeoutMs: introspection.timeout_ms ?? DEFAULT_TIMEOUT_MS,
        }
      : null,
  };
}

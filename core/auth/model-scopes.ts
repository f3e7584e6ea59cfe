import type { Principal } from "../ports/auth.ts";

/**
 * A model scope as written (`--models 'claude-.*'`), compiled to match a model name whole: an
 * allow-list that matched substrings would let `gpt-4o` admit `gpt-4o-mini`.
 */
export function modelScope(source: string): RegExp {
  return new RegExp(`^(?:${source})$`);
}

/** Whether the principal may use `model`: with scopes, one of them must match it. */
export function mayUseModel(principal: Principal, model: string): boolean {
  const scopes = principal.models;
  return scopes === undefined || scopes.length === 0 || scopes.some((scope) => scope.test(model));
}

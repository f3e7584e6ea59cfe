import type { AuthMethod } from "../ports/auth.ts";
import type { ApiName, InterceptionStatus, TokenUsage } from "../ports/recorder.ts";

/** One interception as `causeway interceptions list --json` prints it (the public contract). */
export interface InterceptionView {
  id: string;
  user: string;
  provider: string;
  api: ApiName;
  model: string;
  streaming: boolean;
  client: string;
  session_id: string | null;
  user_agent: string | null;
  started_at: string;
  ended_at: string | null;
  status: InterceptionStatus | null;
  http_status: number | null;
  /** How the caller was authenticated; null method for records made before this was kept. */
  auth: { method: AuthMethod | null; key_id: string | null };
  /** Requests sent upstream (retries and tool turns included) and the pool index of the last key used. */
  upstream: { attempts: number | null; key_index: number | null };
  tokens: { input: number; output: number; cache_read: number; cache_write: number; reasoning: number };
  prompts: string[];
  tools: {
    name: string;
    call_id: string;
    injected: boolean;
    server: string | null;
    args: unknown;
    error: string | null;
  }[];
  thoughts: string[];
}

export interface InterceptionFilter {
  readonly user?: string | undefined;
  /** Epoch ms: only interceptions started at or after. */
  readonly since?: number | undefined;
  /**
   * Keyset cursor: only interceptions listed after this one in the newest-first order (started
   * earlier, or at the same ms with a smaller id). Lets a caller page through any number of rows.
   */
  readonly before?: { readonly startedAt: number; readonly id: string } | undefined;
  readonly limit: number;
}

export type UsageGrouping = "user" | "model" | "day";

export interface UsageRow {
  key: string;
  interceptions: number;
  tokens: {
    input: number;
    output: number;
    cache_read: number;
    cache_write: number;
    reasoning: number;
    total: number;
  };
}

/** A key as `causeway keys list` shows it: never the secret, never its hash. */
export interface KeyView {
  key_id: string;
  user: string;
  /** The key's first characters, to tell keys apart. */
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  models: string[];
  status: "active" | "expired" | "revoked";
}

export interface UserView {
  user: string;
  admin: boolean;
  disabled: boolean;
  /** `local` (made with `users create`), or the identity provider that vouched for them. */
  origin: string;
  created_at: string;
  active_keys: number;
}

/** One user's tokens with one model on one UTC day, as the audit has them (`SqlStore.spendSince`, read by core/policy/audited-spend.ts). */
export interface SpendRow {
  readonly userId: string;
  readonly userName: string;
  readonly model: string;
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  readonly tokens: TokenUsage;
}

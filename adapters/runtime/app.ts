import { BatchingRecorder } from "../../core/audit/batching-recorder.ts";
import { AuthChain } from "../../core/auth/auth-chain.ts";
import { IntrospectionVerifier } from "../../core/auth/introspection-verifier.ts";
import { JwtVerifier } from "../../core/auth/jwt-verifier.ts";
import { KeyVerifier } from "../../core/auth/key-verifier.ts";
import type { CredentialVerifier } from "../../core/auth/verifier.ts";
import { type Bridge, createBridge } from "../../core/bridge.ts";
import { asSeed, auditedSpend, auditedSpendSince } from "../../core/policy/audited-spend.ts";
import { hasPolicies } from "../../core/policy/policy.ts";
import { Pricing } from "../../core/policy/pricing.ts";
import type { Logger } from "../../core/ports/logger.ts";
import type { Observer } from "../../core/ports/observer.ts";
import type { ToolProvider } from "../../core/ports/tool-provider.ts";
import type { Upstream } from "../../core/ports/upstream.ts";
import { MemoryUsageLedger, type UsageLedger } from "../../core/ports/usage-ledger.ts";
import type { SqlClient } from "../../core/store/sql-client.ts";
import { SqlStore } from "../../core/store/sql-store.ts";
import { SqlUsageLedger } from "../../core/store/sql-usage-ledger.ts";
import type { AuthSettings } from "../config/auth-settings.ts";
import { ConfigError, type Settings } from "../config/load.ts";
import { FileAuditSpool } from "../store/audit-spool.ts";
import type { ClosableAuditSink } from "./runtime.ts";
import { randomIds, systemClock } from "./system-ports.ts";

export interface App {
  readonly bridge: Bridge;
  readonly store: SqlStore;
  readonly recorder: BatchingRecorder;
  /** Flushes the audit (to the spool if the store is down) and closes the store. */
  close(): Promise<void>;
}

export interface AppParts {
  readonly settings: Settings;
  readonly sql: SqlClient;
  /** Where audit batches go instead of `sql` (Bun + SQLite: a writer thread); closed by `close`. */
  readonly auditSink?: ClosableAuditSink;
  readonly upstream: Upstream;
  readonly logger: Logger;
  readonly tools?: ToolProvider;
  /** Metrics and traces; absent: nothing observed. */
  readonly observer?: Observer;
  /** `GET /metrics` on the main listener, for admins; absent: not served there. */
  readonly metricsPage?: () => Promise<Response>;
}

/** Wires the core to a store and the runtime's ports; the same on every runtime. */
export async function createApp(parts: AppParts): Promise<App> {
  const { audit } = parts.settings;
  const spool = openSpool(audit.spoolPath);
  const store = new SqlStore(parts.sql);
  await store.migrate(systemClock.now());
  // The spool file is opened (and any leftover replayed) in both modes: switching from spool to
  // reject must not strand records spooled earlier.
  const recorder = new BatchingRecorder(
    parts.auditSink ?? store,
    systemClock,
    parts.logger,
    { whenStoreDown: audit.whenStoreDown, maxSpoolBytes: audit.maxSpoolBytes },
    spool,
  );
  await closeAbandoned(store, recorder, parts.sql.dialect, parts.logger);
  const usageLedger = await openUsageLedger(parts.settings, store);
  const bridge = createBridge(
    {
      providers: parts.settings.providers,
      limits: parts.settings.limits,
      policies: parts.settings.policies,
      pricing: parts.settings.pricing,
      maxInflight: parts.settings.maxInflight,
    },
    {
      auth: authChain(parts.settings.auth, store, parts.upstream, parts.logger),
      recorder,
      upstream: parts.upstream,
      clock: systemClock,
      ids: randomIds,
      logger: parts.logger,
      random: Math.random,
      ...(parts.tools ? { tools: parts.tools } : {}),
      ...(parts.observer ? { observer: parts.observer } : {}),
      ...(parts.metricsPage ? { metricsPage: parts.metricsPage } : {}),
      ...(usageLedger ? { usageLedger } : {}),
    },
  );
  return {
    bridge,
    store,
    recorder,
    async close() {
      await recorder
        .close()
        .catch((error) => parts.logger.error("audit flush failed at shutdown", { error: String(error) }));
      // After the recorder: its last batch must be acknowledged before the writer goes.
      await parts.auditSink
        ?.close()
        .catch((error) => parts.logger.error("audit writer failed at shutdown", { error: String(error) }));
      await parts.sql.close();
    },
  };
}

/**
 * PostgreSQL may be shared by instances still serving: only what started this long ago is surely
 * not in flight anywhere (streams end within max_stream_duration_ms, 60 min by default).
 */
const SHARED_STORE_HORIZON_MS = 24 * 60 * 60_000;

/**
 * At startup, ends the interceptions an earlier process left open (killed, crashed) as `failed`.
 * After the spool's replay, so a recorded end still waiting there is not overwritten; on SQLite
 * (one instance per file) all of them, on PostgreSQL those older than the horizon.
 */
async function closeAbandoned(
  store: SqlStore,
  recorder: BatchingRecorder,
  dialect: "sqlite" | "postgres",
  logger: Logger,
): Promise<void> {
  await recorder.flush().catch(() => {});
  if (recorder.spooledBytes > 0) return;
  const now = systemClock.now();
  const closed = await store.closeAbandoned(dialect === "sqlite" ? now : now - SHARED_STORE_HORIZON_MS, now);
  if (closed > 0)
    logger.warn("closed interceptions an earlier run left open", { count: closed, status: "failed" });
}

/**
 * Where use against `policies` is counted (docs/policies.md). PostgreSQL: in the database, so
 * that every instance sharing it counts against the same windows. SQLite (one instance): in
 * memory, seeded from the audit so that a restart forgets no day's or month's spend.
 */
async function openUsageLedger(settings: Settings, store: SqlStore): Promise<UsageLedger | null> {
  if (!hasPolicies(settings.policies)) return null;
  if (store.sql.dialect === "postgres") return new SqlUsageLedger(store.sql, systemClock);
  const ledger = new MemoryUsageLedger();
  const now = systemClock.now();
  const rows = await store.spendSince(auditedSpendSince(now));
  // Use recorded before this process started, added as corrections to windows not yet open here.
  await ledger.settle(asSeed(auditedSpend(rows, new Pricing(settings.pricing), now)));
  return ledger;
}

/** `auth.methods` in order, each over the store's users and keys. */
function authChain(settings: AuthSettings, store: SqlStore, fetch: Upstream, logger: Logger): AuthChain {
  const verifiers = settings.methods.map((method): CredentialVerifier => {
    if (method === "keys") return new KeyVerifier(store.users, systemClock, settings.cacheTtlMs);
    if (method === "jwt" && settings.jwt)
      return new JwtVerifier(settings.jwt, store.users, fetch, systemClock, logger);
    if (method === "introspection" && settings.introspection)
      return new IntrospectionVerifier(settings.introspection, store.users, fetch, systemClock);
    throw new ConfigError(`config: auth.${method}: required when auth.methods lists ${method}`);
  });
  return new AuthChain(verifiers, systemClock);
}

/** At startup, so a bad path stops the server now rather than failing during an outage. */
function openSpool(path: string): FileAuditSpool {
  try {
    return new FileAuditSpool(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`config: audit.spool_path: cannot open ${path}: ${reason}`);
  }
}

import type { Settings } from "../config/load.ts";
import { startMcpTools } from "../mcp/start.ts";
import { createApp } from "../runtime/app.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { logUnhandledErrors } from "../runtime/server-errors.ts";
import { stderrLogger } from "../runtime/stderr-logger.ts";
import { metricsListener } from "../telemetry/metrics-listener.ts";
import { startObservability } from "../telemetry/observability.ts";

/**
 * `causeway serve`: start the bridge and shut it down gracefully on SIGTERM/SIGINT: stop
 * accepting, let in-flight requests finish up to the grace deadline, end the rest with an
 * in-band error, flush the audit, exit.
 */
export async function serveCommand(runtime: Runtime, settings: Settings): Promise<void> {
  const { logger, flush } = stderrLogger(settings.logLevel);
  // From here on, stderr gets JSON lines only, even for an error nobody caught.
  logUnhandledErrors(logger);
  const sql = await runtime.openSql(settings.db);
  const auditSink = runtime.openAuditSink?.(settings.db) ?? null;
  const tools = await startMcpTools(settings.mcp, process.env, logger);
  const observability = startObservability(settings, process.env, logger);
  const app = await createApp({
    settings,
    sql,
    ...(auditSink ? { auditSink } : {}),
    upstream: runtime.upstream,
    logger,
    ...(tools ? { tools } : {}),
    ...(observability.observer ? { observer: observability.observer } : {}),
    ...(observability.metricsPage ? { metricsPage: observability.metricsPage } : {}),
  });
  observability.watch({
    auditQueueDepth: () => app.recorder.queued,
    auditSpoolBytes: () => app.recorder.spooledBytes,
    breakerStates: () => app.bridge.breakerStates(),
  });
  const server = await runtime.serve((request) => app.bridge.handle(request), settings, logger);
  const { metrics } = observability;
  const metricsServer =
    metrics && settings.metrics.listen
      ? await runtime.serve(
          metricsListener(() => metrics.render()),
          { ...settings, listen: settings.metrics.listen },
          logger,
        )
      : null;
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal, in_flight: app.bridge.inFlight });
    app.bridge.drain();
    // Stop accepting now. Not awaited: the runtimes settle it only once open connections are
    // done, which would hold the grace deadline hostage to a stream that never ends.
    void server.stop(false).catch(() => {});
    const deadline = Date.now() + settings.shutdownGraceMs;
    while (app.bridge.inFlight > 0 && Date.now() < deadline) await sleep(50);
    if (app.bridge.inFlight > 0) {
      logger.warn("grace period over; ending in-flight streams", { in_flight: app.bridge.inFlight });
      app.bridge.abortAll();
      await sleep(200);
    }
    await app.close();
    await observability.close();
    await tools?.close();
    await metricsServer?.stop(true);
    await server.stop(true);
    logger.info("stopped");
    flush();
    process.exit(0);
  };
  // Handlers first: whoever reads "listening" may signal the process right away.
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  const listening = {
    url: server.url,
    metrics: metricsServer
      ? `${metricsServer.url.replace(/\/$/, "")}/metrics`
      : metrics
        ? "/metrics on this listener, for admins"
        : "off",
    tracing: observability.tracing ?? "off",
    runtime: runtime.name,
    providers: settings.providers.map((p) => ({ name: p.name, kind: p.kind, base_url: p.baseUrl })),
    db: settings.db.startsWith("postgres") ? "postgres" : settings.db,
  };
  logger.info("listening", listening);
  // Whoever waits for this line (a supervisor, a test) gets it now, not a batch window later.
  flush();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

import type { Logger } from "../../core/ports/logger.ts";

/**
 * What a runtime does with an error nothing else caught: one JSON log line, never the runtime's
 * own multi-line report (issue 17: "no stack trace reaches a log except as one JSON line").
 */

/** An error as log fields: its name and message, and its stack as one string field. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error)
    return {
      error: { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) },
    };
  return { error: { name: typeof error, message: String(error) } };
}

/** The answer to a request whose handler threw: the same provider-shaped 500 on every runtime. */
export function internalError(): Response {
  return Response.json({ error: { type: "api_error", message: "Internal error." } }, { status: 500 });
}

/**
 * The servers' error hook (Bun.serve `error`, @hono/node-server `errorHandler`, Deno.serve
 * `onError`): logs the error once and answers the 500. The bridge's handler catches its own
 * errors, so a line here is a bug to look at.
 */
export function serverErrorHandler(logger: Logger): (error: unknown) => Response {
  return (error) => {
    logger.error("unhandled server error", errorFields(error));
    return internalError();
  };
}

/**
 * A request the runtime's shell could not turn into a Fetch Request (@hono/node-server throws a
 * `RequestError` for an invalid Host or request target before the bridge sees it): the client's
 * fault, so a 400 in the same shape as the bridge's own, and no error line.
 */
export function malformedRequest(): Response {
  return Response.json(
    { error: { type: "invalid_request_error", message: "The Host header or request target is not valid." } },
    { status: 400 },
  );
}

/** The part of `process` the handlers below need (a test passes an EventEmitter). */
export interface ProcessEvents {
  on(event: "unhandledRejection" | "uncaughtException", listener: (error: unknown) => void): unknown;
}

/**
 * For `causeway serve`: a rejection or exception nobody handled becomes one JSON line instead of
 * the runtime's report. A rejection is logged and the server stays up: it belongs to one piece of
 * work, and the others are unaffected. An uncaught exception is logged and the process exits 1:
 * it left some state half-changed, and a supervisor's restart is safer than serving on with it.
 */
export function logUnhandledErrors(
  logger: Logger,
  events: ProcessEvents = process,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  events.on("unhandledRejection", (reason) => logger.error("unhandled rejection", errorFields(reason)));
  events.on("uncaughtException", (error) => {
    logger.error("uncaught exception; exiting", errorFields(error));
    exit(1);
  });
}

import type { Server } from "bun";
import { WHOLE_READ_BYTES } from "../../core/http/body.ts";

type Handler = (request: Request) => Promise<Response>;

/**
 * Bun 1.4.5 does not reset a connection's idle timer on request-body bytes while the handler
 * awaits them, so any upload lasting longer than `idleTimeout` is cut however steadily it moves
 * (docs/runtimes.md, "Slow and stalled uploads"). The bridge's body read bounds each chunk's
 * silence itself (core/http/body.ts), so for the bodies it reads chunk by chunk this switches
 * Bun's timer off for the request and back on once the handler has answered: the response and
 * the keep-alive phase stay bounded as before (Bun keeps a per-request timeout for the keep-alive
 * phase, so it is never left off). Smaller declared bodies keep Bun's timer: the bridge reads them
 * whole, within one idle period, as Bun would. `idleS` 0 (no idle timeout) needs nothing.
 */
export function guardBodyIdle(handler: Handler, idleS: number) {
  if (idleS <= 0) return handler;
  return async (request: Request, server: Server<undefined>): Promise<Response> => {
    if (!readInChunks(request)) return handler(request);
    server.timeout(request, 0);
    try {
      return await handler(request);
    } finally {
      server.timeout(request, idleS);
    }
  };
}

/** Whether the bridge reads this body chunk by chunk (chunked, or declared above WHOLE_READ_BYTES). */
function readInChunks(request: Request): boolean {
  const length = request.headers.get("content-length");
  return length === null ? request.headers.has("transfer-encoding") : Number(length) > WHOLE_READ_BYTES;
}

import type { Server } from "bun";

type Handler = (request: Request) => Promise<Response>;

/**
 * Bun 1.4.5 does not reset a connection's idle timer on request-body bytes while the handler
 * awaits them, so any upload lasting longer than `idleTimeout` is cut however steadily it moves
 * (docs/runtimes.md, "Slow and stalled uploads"). This wraps `handler` so that, while the core waits
 * for body bytes, Bun's timer is off and the body read enforces its own bound instead: a read
 * that gets no byte for `idleS` seconds fails, and the core answers 400 ("could not be read").
 * Bun's timer is switched back on when the handler answers, so the response and the keep-alive
 * phase are bounded as before. `idleS` 0 (no idle timeout) needs no guard.
 */
export function guardBodyIdle(handler: Handler, idleS: number) {
  if (idleS <= 0) return handler;
  return async (request: Request, server: Server<undefined>): Promise<Response> => {
    if (!needsGuard(request)) return handler(request);
    const guard = new BodyIdleGuard(request, server, idleS);
    try {
      const response = await handler(guard.request);
      // A stalled client may still be mid-body: close rather than wait for the rest of it.
      if (guard.stalled && !response.headers.has("connection")) {
        return new Response(response.body, {
          status: response.status,
          statusText: response.statusText,
          headers: [...response.headers, ["connection", "close"]],
        });
      }
      return response;
    } finally {
      guard.restore();
    }
  };
}

/**
 * Bodies from this size up, and chunked ones, are guarded. Reading a body through a JavaScript
 * stream costs Bun a third of the bridge's throughput (native arrayBuffer() does not), so smaller
 * bodies keep Bun's timer: they must arrive whole within `idleS` (at 120 s, 2.2 KB/s).
 */
export const GUARDED_BODY_BYTES = 256 * 1024;

/** Whether the request's body may take long enough to need the guard (Bun checked the framing). */
function needsGuard(request: Request): boolean {
  const length = request.headers.get("content-length");
  return length === null ? request.headers.has("transfer-encoding") : Number(length) >= GUARDED_BODY_BYTES;
}

class BodyIdleGuard {
  readonly request: Request;
  stalled = false;
  #off = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #original: Request;
  readonly #server: Server<undefined>;
  readonly #idleS: number;

  constructor(original: Request, server: Server<undefined>, idleS: number) {
    this.#original = original;
    this.#server = server;
    this.#idleS = idleS;
    const source = (original.body as ReadableStream<Uint8Array>).getReader();
    const body = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          this.#switchOff();
          // The bound runs only while the core waits for a byte: time spent elsewhere (auth, a
          // slow consumer) is not the client's inactivity.
          const idle = new Promise<never>((_, reject) => {
            this.#timer = setTimeout(() => {
              this.stalled = true;
              reject(new Error(`No request body byte for ${idleS} s.`));
            }, idleS * 1000);
          });
          try {
            const { done, value } = await Promise.race([source.read(), idle]);
            if (done) controller.close();
            else controller.enqueue(value);
          } catch (error) {
            controller.error(error);
          } finally {
            clearTimeout(this.#timer);
          }
        },
        cancel: (reason) => source.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    // The same request for the core, with the guarded body; the signal still follows the client.
    this.request = new Request(original.url, {
      method: original.method,
      headers: original.headers,
      body,
      signal: original.signal,
      duplex: "half",
    } as RequestInit);
  }

  #switchOff(): void {
    if (this.#off) return;
    this.#off = true;
    this.#server.timeout(this.#original, 0);
  }

  /** Bun keeps a per-request timeout for the connection's keep-alive phase: never leave it off. */
  restore(): void {
    clearTimeout(this.#timer);
    if (this.#off) this.#server.timeout(this.#original, this.#idleS);
  }
}

import type { Upstream } from "../../../core/ports/upstream.ts";

const encoder = new TextEncoder();

/**
 * An upstream the test drives by hand, like a socket: it hands out a body stream the test pushes
 * into, can hang before the headers, and behaves like fetch on abort (a pending call rejects, an
 * open body errors). `calls` holds every request it got; `aborted` tells whether the bridge
 * aborted the last one.
 */
export function scriptedUpstream() {
  const calls: Request[] = [];
  let body: ReadableStreamDefaultController<Uint8Array> | null = null;
  let answer: ((response: Response) => void) | null = null;
  let called: () => void = () => {};
  const firstCall = new Promise<void>((resolve) => {
    called = resolve;
  });

  const upstream: Upstream = (request) => {
    calls.push(request);
    called();
    return new Promise<Response>((resolve, reject) => {
      answer = resolve;
      const abort = (): void => {
        const reason = request.signal.reason ?? new DOMException("aborted", "AbortError");
        reject(reason);
        try {
          body?.error(reason);
        } catch {
          // Already closed.
        }
      };
      if (request.signal.aborted) abort();
      request.signal.addEventListener("abort", abort, { once: true });
    });
  };

  return {
    upstream,
    calls,
    firstCall,
    get aborted(): boolean {
      return calls.at(-1)?.signal.aborted ?? false;
    },
    /** Answers with response headers and an open SSE body. */
    openStream(init: ResponseInit = {}): void {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          body = controller;
        },
      });
      answer?.(
        new Response(stream, {
          status: 200,
          ...init,
          headers: { "content-type": "text/event-stream", ...init.headers },
        }),
      );
    },
    respond(response: Response): void {
      answer?.(response);
    },
    push(text: string): void {
      body?.enqueue(encoder.encode(text));
    },
    close(): void {
      body?.close();
    },
    /** A broken connection: the body errors. */
    reset(): void {
      body?.error(new TypeError("terminated"));
    },
  };
}

/** Reads a response body in the background, so tests can look at what arrived so far. */
export function pump(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const state = { text: "", chunks: [] as string[], done: false, error: null as unknown };
  const finished = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const piece = decoder.decode(value, { stream: true });
        state.chunks.push(piece);
        state.text += piece;
      }
      state.done = true;
    } catch (error) {
      state.error = error;
    }
  })();
  return { state, reader, finished };
}

/** Lets pending promise chains and stream pulls run (macrotask turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

import { Agent } from "undici";
import type { Upstream } from "../../core/ports/upstream.ts";

/**
 * Node's fetch (undici) gives up after 300 s without response headers or between body chunks,
 * which would cut a long blocking call the bridge allows for 600 s (UP-14). The bridge enforces
 * its own first-byte, blocking and idle timeouts, so undici's are switched off here; only the
 * connect timeout (5 s, TLS included) stays. Node bundles undici but does not export it, hence the
 * `undici` package, pinned to the version Node 20.20 bundles so its Agent fits the global fetch.
 */
const dispatcher = new Agent({
  connect: { timeout: 5_000 },
  headersTimeout: 0,
  bodyTimeout: 0,
  keepAliveTimeout: 30_000,
});

/**
 * `fetch(request)` makes a new Request from the old one, which re-wraps the body in a proxy
 * TransformStream piped chunk by chunk (undici, per the Fetch spec). The bridge's upstream
 * requests always carry a complete body (bytes or text), so reading it once and passing the same
 * fields skips that per-request pipe; the headers (content-type, if the Request added one, and
 * content-length) come out the same.
 */
export const nodeUpstream: Upstream = async (request) => {
  const body = request.body === null ? null : await request.arrayBuffer();
  const init: RequestInit & { dispatcher: Agent } = {
    method: request.method,
    headers: request.headers,
    body,
    signal: request.signal,
    redirect: request.redirect,
    dispatcher,
  };
  return fetch(request.url, init);
};

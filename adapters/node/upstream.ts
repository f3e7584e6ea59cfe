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

export const nodeUpstream: Upstream = (request) => {
  const init: RequestInit & { dispatcher: Agent } = { dispatcher };
  return fetch(request, init);
};

/** Embedding Causeway in a Bun server: `bun docs/examples/bun-server.ts` (docs/embedding.md). */
import { createEmbeddedBridge, hostRoutes, mountBridge } from "./embedded-bridge.ts";

const { bridge, audit } = createEmbeddedBridge(process.env);
const ai = mountBridge("/ai", bridge);

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 8787),
  // The bridge enforces its own timeouts; Bun's default 10 s idle timeout would cut long streams.
  idleTimeout: 0,
  fetch: (request) => ai(request) ?? hostRoutes(request, audit),
});
console.log(`listening http://127.0.0.1:${server.port}`);

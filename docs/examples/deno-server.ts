/**
 * Embedding Causeway in a Deno server (docs/embedding.md):
 * `deno run --node-modules-dir=manual --unstable-no-legacy-abort --allow-net --allow-env docs/examples/deno-server.ts`
 * Without --unstable-no-legacy-abort, Deno also aborts request.signal after every completed
 * response; the bridge tolerates that, but with the flag an abort means a real disconnect.
 */
import { createEmbeddedBridge, hostRoutes, mountBridge } from "./embedded-bridge.ts";

const { bridge, audit } = createEmbeddedBridge(Deno.env.toObject());
const ai = mountBridge("/ai", bridge);

Deno.serve(
  {
    hostname: "127.0.0.1",
    port: Number(Deno.env.get("PORT") ?? 8787),
    onListen: ({ hostname, port }) => console.log(`listening http://${hostname}:${port}`),
  },
  (request) => ai(request) ?? hostRoutes(request, audit),
);

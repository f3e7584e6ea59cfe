/**
 * Embedding Causeway in a Node server (docs/embedding.md). Node 20 runs JavaScript only:
 * `npm run build`, then `node dist/docs/examples/node-server.js`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { createEmbeddedBridge, hostRoutes, mountBridge } from "./embedded-bridge.ts";

const { bridge, audit } = createEmbeddedBridge(process.env);
const ai = mountBridge("/ai", bridge);

// @hono/node-server converts node:http to Fetch and back, and aborts request.signal when the
// client disconnects, which the bridge passes on to the upstream.
const listener = getRequestListener(async (request) => (await ai(request)) ?? hostRoutes(request, audit), {
  overrideGlobalObjects: false,
});
const server = createServer(
  { headersTimeout: 30_000, requestTimeout: 300_000, maxHeaderSize: 32 * 1024 },
  listener,
);
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 8787), "127.0.0.1", () => {
  console.log(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

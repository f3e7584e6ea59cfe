/**
 * Causeway on the Node runtime shell (node:http + @hono/node-server, undici upstream) with auth and
 * audit off (see bare-bridge.ts). Used when `causeway serve` on Node cannot run as users run it
 * here: Node 20 has no node:sqlite, so the Node adapter needs PostgreSQL. Bundled for Node by the
 * benchmark. Usage: BENCH_UPSTREAM=http://127.0.0.1:PORT node .tmp/bench/causeway-node-bare.mjs
 */
import { nodeRuntime } from "../../adapters/node/runtime.ts";
import { serveBareBridge } from "./bare-bridge.ts";

await serveBareBridge(nodeRuntime);

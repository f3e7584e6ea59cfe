/**
 * Causeway on Bun with auth and audit off (see bare-bridge.ts).
 * Usage: BENCH_UPSTREAM=http://127.0.0.1:PORT bun bench/targets/causeway-bare.ts
 */
import { bunRuntime } from "../../adapters/bun/runtime.ts";
import { serveBareBridge } from "./bare-bridge.ts";

await serveBareBridge(bunRuntime);

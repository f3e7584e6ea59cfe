import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Child, freePort, spawnChild, waitHttp } from "../lib/processes.ts";
import { type ApiKind, UPSTREAM_PATHS } from "../lib/shapes.ts";
import { BARE_KEY } from "./bare-bridge.ts";
import { credentialHeaders, type Target, type VariantName } from "./target.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BUN = process.execPath;
const NODE = "node";
const START_TIMEOUT_MS = 20_000;
const LISTENING = /"listening":"(http:\/\/127\.0\.0\.1:\d+)"/;
const CAUSEWAY_LISTENING = /"message":"listening","url":"(http:\/\/[^"]+)"/;
const PROVIDER_PREFIX: Record<ApiKind, string> = {
  "anthropic.messages": "/anthropic",
  "openai.chat": "/openai",
  "openai.responses": "/openai",
};

export function directTarget(upstream: string): Target {
  return {
    name: "direct",
    description: "the load generator straight to the mock upstream",
    pid: null,
    url: (api) => upstream + UPSTREAM_PATHS[api],
    headers: (api) => credentialHeaders(api, "sk-direct"),
    stop: async () => {},
  };
}

/**
 * Bun's fetch runs at most 256 requests at once by default (BUN_CONFIG_MAX_HTTP_REQUESTS, read
 * only at process start); more wait in a queue. The floor is our ideal proxy, so it lifts the cap;
 * Causeway runs as users run it unless `--bun-max-requests N` sets it for the Causeway processes.
 */
const UNCAPPED_FETCH = { BUN_CONFIG_MAX_HTTP_REQUESTS: "65000" };
let causewayBunEnv: Record<string, string> = {};

export function setCausewayBunMaxRequests(value: string | null): void {
  causewayBunEnv = value === null ? {} : { BUN_CONFIG_MAX_HTTP_REQUESTS: value };
}

/** Starts one of our Bun/Node entry points that prints {"listening": url}. */
async function startListed(
  name: VariantName,
  command: string[],
  upstream: string,
  env: Record<string, string> = {},
) {
  const child = spawnChild(name, command, { cwd: ROOT, env: { BENCH_UPSTREAM: upstream, ...env } });
  const match = await child.waitFor(LISTENING, START_TIMEOUT_MS);
  return { child, url: match[1]! };
}

export async function floorTarget(upstream: string): Promise<Target> {
  const { child, url } = await startListed(
    "floor-bun",
    [BUN, "bench/targets/passthrough-bun.ts"],
    upstream,
    UNCAPPED_FETCH,
  );
  return {
    name: "floor-bun",
    description: "raw pass-through proxy: Bun.serve + Bun fetch, no auth/parsing/audit (the floor)",
    pid: child.pid,
    url: (api) => url + UPSTREAM_PATHS[api],
    headers: (api) => credentialHeaders(api, "sk-direct"),
    stop: () => child.stop(),
  };
}

export async function causewayBareTarget(upstream: string): Promise<Target> {
  const { child, url } = await startListed(
    "causeway-bun-bare",
    [BUN, "bench/targets/causeway-bare.ts"],
    upstream,
    causewayBunEnv,
  );
  return causewayShape(
    "causeway-bun-bare",
    "Causeway core on the Bun shell, auth and audit off (MemoryAuth, no-op recorder)",
    child,
    url,
    BARE_KEY,
  );
}

function causewayShape(
  name: VariantName,
  description: string,
  child: { pid: number; stop(): Promise<void> },
  url: string,
  key: string,
  cleanup: () => void | Promise<void> = () => {},
): Target {
  return {
    name,
    description,
    pid: child.pid,
    url: (api) => url + PROVIDER_PREFIX[api] + UPSTREAM_PATHS[api],
    headers: (api) => credentialHeaders(api, key),
    async stop() {
      await child.stop();
      await cleanup();
    },
  };
}

/** How a `causeway serve` variant differs from the others: its name, a config file, more environment. */
export interface CausewayServeVariant {
  readonly name: VariantName;
  readonly description: string;
  /** The YAML config file's text (given as CAUSEWAY_CONFIG); absent: no file, as users start out. */
  readonly config?: string;
  readonly env?: Record<string, string>;
  /** Its log level hides the "listening" line: the port is picked here and readiness polled. */
  readonly quiet?: boolean;
  /** Runs once the process has stopped (the audit flushed), before its store is deleted. */
  readonly afterStop?: (store: string) => Promise<void>;
}

/** `causeway serve` on Bun on a fresh SQLite store, a user made with `causeway users create`: auth and audit on. */
export async function startCausewayServe(upstream: string, variant: CausewayServeVariant): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), "causeway-bench-"));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  const config = join(dir, "causeway.yaml");
  if (variant.config !== undefined) writeFileSync(config, variant.config);
  const port = variant.quiet ? await freePort() : 0;
  const env = {
    CAUSEWAY_DB: join(dir, "causeway.db"),
    CAUSEWAY_LISTEN: `127.0.0.1:${port}`,
    ANTHROPIC_API_KEY: "sk-bench-anthropic",
    CAUSEWAY_ANTHROPIC_BASE_URL: upstream,
    OPENAI_API_KEY: "sk-bench-openai",
    CAUSEWAY_OPENAI_BASE_URL: upstream,
    ...(variant.config === undefined ? {} : { CAUSEWAY_CONFIG: config }),
    ...variant.env,
    ...causewayBunEnv,
  };
  const main = join(ROOT, "adapters/bun/main.ts");
  try {
    const create = spawnChild(
      `${variant.name} users create`,
      [BUN, main, "users", "create", "bench", "--json"],
      { cwd: dir, env },
    );
    const token = JSON.parse((await create.waitFor(/\{[^\n]*"token"[^\n]*\}/, START_TIMEOUT_MS))[0]) as {
      token: string;
    };
    await create.exited;
    const child = spawnChild(variant.name, [BUN, main, "serve"], { cwd: dir, env });
    const url = await listeningUrl(child, port).catch(async (error: unknown) => {
      await child.stop();
      throw error;
    });
    const stopped = async (): Promise<void> => {
      await variant.afterStop?.(env.CAUSEWAY_DB);
      cleanup();
    };
    return causewayShape(variant.name, variant.description, child, url, token.token, () => stopped());
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** Where `causeway serve` listens: from its "listening" line, or on `port` once it answers there. */
async function listeningUrl(child: Child, port: number): Promise<string> {
  if (port === 0) return (await child.waitFor(CAUSEWAY_LISTENING, START_TIMEOUT_MS))[1]!;
  const url = `http://127.0.0.1:${port}`;
  await Promise.race([
    waitHttp(`${url}/`, START_TIMEOUT_MS),
    child.exited.then((code) => {
      throw new Error(`${child.name} exited (${code}) before answering:\n${child.output().slice(-2000)}`);
    }),
  ]);
  return url;
}

/** `causeway serve` exactly as users run it: auth on, SQLite audit on, a fresh store, no config file. */
export function causewayBunTarget(upstream: string): Promise<Target> {
  return startCausewayServe(upstream, {
    name: "causeway-bun",
    description: "`causeway serve` on Bun as users run it: auth on (SQLite users), SQLite audit on",
  });
}

/** Where the Node adapter's build may land; the first that exists is used. */
const NODE_ENTRIES = ["dist/adapters/node/main.js", "dist/node/main.js", "dist/adapters/node/main.mjs"];

export function findNodeAdapter(): string | null {
  for (const entry of NODE_ENTRIES) if (existsSync(join(ROOT, entry))) return join(ROOT, entry);
  return null;
}

/** `causeway serve` on Node from the build, as users run it: auth on, SQLite audit on. */
async function causewayNodeServe(adapter: string, upstream: string): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), "causeway-bench-node-"));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  const env = {
    CAUSEWAY_DB: join(dir, "causeway.db"),
    CAUSEWAY_LISTEN: "127.0.0.1:0",
    ANTHROPIC_API_KEY: "sk-bench-anthropic",
    CAUSEWAY_ANTHROPIC_BASE_URL: upstream,
    OPENAI_API_KEY: "sk-bench-openai",
    CAUSEWAY_OPENAI_BASE_URL: upstream,
  };
  try {
    const create = spawnChild(
      "causeway-node users create",
      [NODE, adapter, "users", "create", "bench", "--json"],
      { cwd: dir, env },
    );
    const token = JSON.parse((await create.waitFor(/\{[^\n]*"token"[^\n]*\}/, START_TIMEOUT_MS))[0]) as {
      token: string;
    };
    await create.exited;
    const child = spawnChild("causeway-node", [NODE, adapter, "serve"], { cwd: dir, env });
    const match = await child.waitFor(CAUSEWAY_LISTENING, START_TIMEOUT_MS).catch(async (error: unknown) => {
      await child.stop();
      throw error;
    });
    const where = adapter.slice(ROOT.length + 1);
    return causewayShape(
      "causeway-node",
      `\`causeway serve\` on Node (${where}) as users run it: auth on, SQLite audit on`,
      child,
      match[1]!,
      token.token,
      cleanup,
    );
  } catch (error) {
    cleanup();
    throw error;
  }
}

/**
 * Causeway on Node: the built Node adapter as users run it when this Node can store in SQLite;
 * otherwise (Node 20 has no node:sqlite) the same Node runtime shell with auth and audit off,
 * from a bench-only bundle. `note` receives why the fallback was used.
 */
export async function causewayNodeTarget(
  upstream: string,
  note: (line: string) => void = () => {},
): Promise<Target> {
  const adapter = findNodeAdapter();
  if (adapter) {
    try {
      return await causewayNodeServe(adapter, upstream);
    } catch (error) {
      note(
        `causeway-node: \`causeway serve\` on Node could not run as users run it (${String(error).split("\n").slice(0, 2).join(" ").slice(0, 300)}); measuring the Node shell with auth and audit off instead`,
      );
    }
  } else {
    note(
      "causeway-node: the Node adapter is not built (npm run build); measuring the Node shell with auth and audit off from source",
    );
  }
  const outDir = join(ROOT, ".tmp/bench");
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, "causeway-node-bare.mjs");
  const build = spawnChild(
    "bun build",
    [BUN, "build", "bench/targets/causeway-node-bare.ts", "--target=node", "--outfile", outfile],
    { cwd: ROOT },
  );
  const code = await build.exited;
  if (code !== 0) throw new Error(`bundling the Node entry failed:\n${build.output()}`);
  const { child, url } = await startListed("causeway-node", [NODE, outfile], upstream);
  return causewayShape(
    "causeway-node",
    `Causeway core on the Node shell (node:http + @hono/node-server, undici), auth and audit off because this Node has no node:sqlite (bench-only bundle)`,
    child,
    url,
    BARE_KEY,
  );
}

/** Portkey AI Gateway 1.15.2 from node_modules, headless, bound to 127.0.0.1 by a preload. */
export async function portkeyTarget(upstream: string): Promise<Target> {
  const port = await freePort();
  const entry = join(ROOT, "node_modules/@portkey-ai/gateway/build/start-server.js");
  const preload = join(ROOT, "bench/targets/portkey-preload.cjs");
  const child = spawnChild("portkey", [NODE, "--require", preload, entry, `--port=${port}`, "--headless"], {
    cwd: ROOT,
    env: { NODE_ENV: "production" },
  });
  await child.waitFor(/Ready for connections|running at/, START_TIMEOUT_MS);
  const url = `http://127.0.0.1:${port}`;
  const provider: Record<ApiKind, string> = {
    "anthropic.messages": "anthropic",
    "openai.chat": "openai",
    "openai.responses": "openai",
  };
  return {
    name: "portkey",
    description: "Portkey AI Gateway 1.15.2 (npm, Node, headless), custom host = the mock upstream",
    pid: child.pid,
    url: (api) => url + UPSTREAM_PATHS[api],
    headers: (api) => ({
      ...credentialHeaders(api, "sk-direct"),
      "x-portkey-provider": provider[api],
      "x-portkey-custom-host": `${upstream}/v1`,
    }),
    stop: () => child.stop(),
  };
}

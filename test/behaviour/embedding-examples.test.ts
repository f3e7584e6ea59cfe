import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUN, ROOT } from "../helpers/server-process.ts";
import { startUpstream } from "../helpers/upstream-server.ts";

const run = promisify(execFile);
const DENO = join(ROOT, "node_modules/.bin/deno");
const USER_KEY = "example-user-key-1";

/** docs/embedding.md's examples: each host server, on its runtime, with the bridge under /ai. */
const EXAMPLES = [
  { runtime: "bun", command: [BUN, join(ROOT, "docs/examples/bun-server.ts")] },
  // Compiled by `npm run build` (test/global-setup.ts runs it).
  { runtime: "node", command: [process.execPath, join(ROOT, "dist/docs/examples/node-server.js")] },
  {
    runtime: "deno",
    command: [
      DENO,
      "run",
      "--node-modules-dir=manual",
      "--unstable-no-legacy-abort",
      "--allow-net",
      "--allow-env",
      join(ROOT, "docs/examples/deno-server.ts"),
    ],
  },
] as const;

describe("the embedding examples type-check", () => {
  it("with tsc (Bun and Node examples) and deno check (Deno example and adapter)", async () => {
    await run(join(ROOT, "node_modules/.bin/tsc"), ["-p", join(ROOT, "docs/examples/tsconfig.json")], {
      cwd: ROOT,
    });
    const deno = [
      "check",
      "--node-modules-dir=manual",
      "docs/examples/deno-server.ts",
      "adapters/deno/runtime.ts",
      "adapters/deno/flags.ts",
    ];
    await run(DENO, deno, {
      cwd: ROOT,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(ROOT, "node_modules/.cache/deno") },
    });
  }, 120_000);
});

describe.each(EXAMPLES)("the $runtime embedding example", ({ command }) => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let child: ChildProcess;
  let url = "";

  beforeAll(async () => {
    upstream = await startUpstream(() => ({
      body: '{"type":"message","content":[],"usage":{"input_tokens":1,"output_tokens":1}}',
    }));
    child = spawn(command[0], command.slice(1), {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH ?? "",
        PORT: "0",
        EXAMPLE_USER_KEY: USER_KEY,
        ANTHROPIC_API_KEY: "sk-ent-example",
        CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
        DENO_DIR: join(ROOT, "node_modules/.cache/deno"),
        DENO_NO_UPDATE_CHECK: "1",
      },
    });
    let output = "";
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`example did not start:\n${output}`)), 30_000);
      const onData = (data: Buffer): void => {
        output += data.toString();
        const match = /listening (http:\/\/\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.on("exit", (code) => reject(new Error(`example exited with ${code}:\n${output}`)));
    });
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await upstream?.close();
  });

  it("serves the host's own routes next to the bridge", async () => {
    expect(await (await fetch(`${url}/`)).text()).toBe("my app\n");
    expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
  });

  it("proxies /ai/anthropic/v1/messages with the host's auth and records the audit", async () => {
    const call = (key: string) =>
      fetch(`${url}/ai/anthropic/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({
          model: "example",
          max_tokens: 4,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
    expect((await call("wrong-key")).status).toBe(401);
    expect(upstream.requests).toHaveLength(0);
    const response = await call(USER_KEY);
    expect(response.status).toBe(200);
    expect(upstream.requests[0]).toMatchObject({ url: "/v1/messages" });
    expect(upstream.requests[0]!.headers["x-api-key"]).toBe("sk-ent-example");
    expect(await (await fetch(`${url}/audit`)).json()).toEqual({ interceptions: 1 });
  });
});

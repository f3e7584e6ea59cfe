import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockingMessage } from "../helpers/anthropic-wire.ts";
import { BUN, ROOT, startServer } from "../helpers/server-process.ts";
import { startUpstream } from "../helpers/upstream-server.ts";

/**
 * Configuration as the real server sees it: a bad file stops `causeway serve` with a message
 * naming the key and the problem (no stack trace), the contract's environment variables win
 * over the file, and a provider without a key is disabled.
 */

interface ServeOutcome {
  readonly code: number | null;
  readonly output: string;
  readonly started: boolean;
}

const dirs: string[] = [];

/** `${NAME}` as written in the YAML file (the server expands it from its environment). */
const envRef = (name: string): string => `\${${name}}`;

/** Runs `causeway --config FILE serve` and waits for it to exit (or kills it once it listens). */
async function serveWith(yaml: string, env: Record<string, string> = {}): Promise<ServeOutcome> {
  const dir = mkdtempSync(join(tmpdir(), "causeway-config-"));
  dirs.push(dir);
  writeFileSync(join(dir, "causeway.yaml"), yaml);
  const child = spawn(
    BUN,
    [join(ROOT, "adapters/bun/main.ts"), "--config", join(dir, "causeway.yaml"), "serve"],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        CAUSEWAY_DB: join(dir, "causeway.db"),
        CAUSEWAY_LISTEN: "127.0.0.1:0",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  let started = false;
  const onData = (d: Buffer): void => {
    output += d.toString();
    if (!started && output.includes('"message":"listening"')) {
      started = true;
      child.kill("SIGTERM");
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  // "close", not "exit": only then has all of stdout and stderr arrived.
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  clearTimeout(killer);
  return { code, output, started };
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.concurrent("a bad configuration stops the server with a message naming the key", () => {
  const cases: [string, string, Record<string, string>, RegExp][] = [
    ["not YAML", "listen: [127.0.0.1:0\nlimits: {", {}, /config: not valid YAML/],
    ["an unknown top-level key", "listn: 127.0.0.1:0\n", {}, /config: listn: /],
    [
      "an unknown nested key (typo)",
      "limits:\n  max_body_byte: 1000\n",
      {},
      /config: limits\.max_body_byte: /,
    ],
    [
      "a wrong type",
      "limits:\n  max_body_bytes: lots\n",
      {},
      /config: limits\.max_body_bytes: expected a number/,
    ],
    [
      "a negative limit",
      "server:\n  shutdown_grace_ms: -5\n",
      {},
      /config: server\.shutdown_grace_ms: must be at least 1/,
    ],
    [
      "a bad provider kind",
      "providers:\n  - name: anthropic\n    kind: gemini\n    api_key: k\n",
      {},
      /config: providers\[0\]\.kind: must be "anthropic" or "openai"/,
    ],
    [
      "a bad listen address in the file",
      "listen: localhost\n",
      { CAUSEWAY_LISTEN: "" },
      /config: listen: expected host:port, got "localhost"/,
    ],
    [
      "a bad CAUSEWAY_LISTEN",
      "",
      { CAUSEWAY_LISTEN: "127.0.0.1:99999" },
      /config: CAUSEWAY_LISTEN: expected host:port, got "127\.0\.0\.1:99999"/,
    ],
    [
      "a bad CAUSEWAY_METRICS_LISTEN",
      "",
      { CAUSEWAY_METRICS_LISTEN: "9464" },
      /config: CAUSEWAY_METRICS_LISTEN: expected host:port, got "9464"/,
    ],
    [
      "a bad CAUSEWAY_LOG_LEVEL",
      "",
      { CAUSEWAY_LOG_LEVEL: "debug" },
      /config: CAUSEWAY_LOG_LEVEL: must be "info", "warn" or "error", got "debug"/,
    ],
    [
      "a bad log.level",
      "log:\n  level: verbose\n",
      {},
      /config: log\.level: must be "info", "warn" or "error"/,
    ],
    [
      "a metrics listener with metrics off",
      "metrics:\n  enabled: false\n  listen: 127.0.0.1:0\n",
      {},
      /config: metrics\.listen: set while metrics\.enabled is false/,
    ],
    [
      "a missing environment variable referenced by the file",
      `providers:\n  - name: anthropic\n    kind: anthropic\n    api_key: ${envRef("CAUSEWAY_TEST_SURELY_UNSET")}\n`,
      {},
      /config: providers\[0\]\.api_key: environment variable CAUSEWAY_TEST_SURELY_UNSET is not set/,
    ],
  ];
  for (const [name, yaml, env, message] of cases) {
    it(name, async () => {
      const outcome = await serveWith(yaml, env);
      expect(outcome.started, outcome.output).toBe(false);
      expect(outcome.code).not.toBe(0);
      expect(outcome.output).toMatch(message);
      expect(outcome.output).not.toMatch(/\n\s+at /);
      expect(outcome.output).not.toMatch(/\.ts:\d+/);
    });
  }

  it("a config file that does not exist", async () => {
    const dir = mkdtempSync(join(tmpdir(), "causeway-config-"));
    dirs.push(dir);
    const child = spawn(
      BUN,
      [join(ROOT, "adapters/bun/main.ts"), "--config", join(dir, "missing.yaml"), "serve"],
      {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: dir,
          CAUSEWAY_DB: join(dir, "x.db"),
          CAUSEWAY_LISTEN: "127.0.0.1:0",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    // "close", not "exit": only then has all of stdout and stderr arrived.
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(code).not.toBe(0);
    expect(output).toContain("missing.yaml");
  });

  it("a valid file with environment references starts", async () => {
    const outcome = await serveWith(
      `providers:\n  - name: anthropic\n    kind: anthropic\n    api_key: ${envRef("CAUSEWAY_TEST_KEY")}\nserver:\n  shutdown_grace_ms: 1000\n`,
      { CAUSEWAY_TEST_KEY: "sk-from-env" },
    );
    expect(outcome.started, outcome.output).toBe(true);
    expect(outcome.code).toBe(0);
  });
});

describe("environment overrides and disabled providers", () => {
  let fileUpstream: Awaited<ReturnType<typeof startUpstream>>;
  let envUpstream: Awaited<ReturnType<typeof startUpstream>>;
  beforeAll(async () => {
    const answer = (request: { body: string }) => ({
      body: JSON.stringify(
        blockingMessage({
          model: (JSON.parse(request.body) as { model: string }).model,
          usage: { input_tokens: 1, output_tokens: 1 },
        }),
      ),
    });
    fileUpstream = await startUpstream(answer);
    envUpstream = await startUpstream(answer);
  });
  afterAll(async () => {
    await fileUpstream?.close();
    await envUpstream?.close();
  });

  it("CAUSEWAY_LISTEN, CAUSEWAY_DB, ANTHROPIC_API_KEY and CAUSEWAY_ANTHROPIC_BASE_URL win over the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "causeway-env-"));
    dirs.push(dir);
    const fileDb = join(dir, "from-file.db");
    const envDb = join(dir, "from-env.db");
    const server = await startServer({
      config: [
        "listen: 127.0.0.1:1",
        `db: ${fileDb}`,
        "providers:",
        "  - name: anthropic",
        "    kind: anthropic",
        "    api_key: sk-from-file",
        `    base_url: ${fileUpstream.url}`,
        "",
      ].join("\n"),
      env: {
        CAUSEWAY_DB: envDb,
        ANTHROPIC_API_KEY: "sk-from-env",
        CAUSEWAY_ANTHROPIC_BASE_URL: envUpstream.url,
      },
    });
    try {
      expect(server.url).not.toMatch(/:1$/);
      const key = await server.createUser("env-user");
      const response = await fetch(`${server.url}/anthropic/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({
          model: "claude-env",
          max_tokens: 5,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
      expect(response.status).toBe(200);
      expect(fileUpstream.requests).toHaveLength(0);
      expect(envUpstream.requests.at(-1)?.headers["x-api-key"]).toBe("sk-from-env");
      expect(existsSync(envDb)).toBe(true);
      expect(existsSync(fileDb)).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it("the file's values apply when no environment variable overrides them", async () => {
    const server = await startServer({
      config: `providers:\n  - name: anthropic\n    kind: anthropic\n    api_key: sk-from-file\n    base_url: ${fileUpstream.url}\n`,
    });
    try {
      const key = await server.createUser("file-user");
      const response = await fetch(`${server.url}/anthropic/v1/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: "claude-file",
          max_tokens: 5,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
      expect(response.status).toBe(200);
      expect(fileUpstream.requests.at(-1)?.headers["x-api-key"]).toBe("sk-from-file");
    } finally {
      await server.stop();
    }
  });

  it("a provider without a key is disabled: its routes answer 404 and nothing is forwarded", async () => {
    // Only Anthropic has a key; OpenAI is disabled.
    const server = await startServer({
      env: { ANTHROPIC_API_KEY: "sk-only-anthropic", CAUSEWAY_ANTHROPIC_BASE_URL: envUpstream.url },
    });
    try {
      const key = await server.createUser("someone");
      const before = envUpstream.requests.length;
      for (const [method, path] of [
        ["POST", "/openai/v1/chat/completions"],
        ["POST", "/openai/v1/responses"],
        ["GET", "/openai/v1/models"],
      ] as const) {
        const response = await fetch(`${server.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          ...(method === "POST" ? { body: JSON.stringify({ model: "gpt-x", messages: [] }) } : {}),
        });
        expect(response.status, path).toBe(404);
        expect(await response.json()).toMatchObject({ error: { message: expect.any(String) } });
      }
      expect(envUpstream.requests.length).toBe(before);
      const logs = server.logs();
      expect(logs).toContain('"name":"anthropic"');
      expect(logs).not.toContain('"name":"openai"');
    } finally {
      await server.stop();
    }

    // And with no Anthropic key either, the Anthropic routes are gone too.
    const bare = await startServer({ env: { ANTHROPIC_API_KEY: "" } });
    try {
      const key = await bare.createUser("someone");
      const response = await fetch(`${bare.url}/anthropic/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({
          model: "claude-x",
          max_tokens: 5,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
      expect(response.status).toBe(404);
      expect((await fetch(`${bare.url}/healthz`)).status).toBe(200);
    } finally {
      await bare.stop();
    }
  });
});

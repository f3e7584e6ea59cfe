import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeServer, NODE_SERVER_LIMITS } from "../../adapters/node/runtime.ts";
import { nodeUpstream } from "../../adapters/node/upstream.ts";
import { silentLogger } from "../../core/ports/logger.ts";
import { startServer } from "../helpers/server-process.ts";
import { startUpstream } from "../helpers/upstream-server.ts";
import { NODE_HAS_SQLITE, RUNTIMES } from "./runtimes.ts";

describe("the Node adapter's server", () => {
  const server = createNodeServer(
    async (request) => Response.json({ bytes: (request.headers.get("x-big") ?? "").length }),
    silentLogger,
  );
  let url = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("runs with the documented limits, not Node's defaults", () => {
    expect(server.headersTimeout).toBe(30_000);
    expect(server.requestTimeout).toBe(300_000);
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(NODE_SERVER_LIMITS.maxHeaderSize).toBe(32 * 1024);
  });

  it("accepts headers up to 32 KiB in total (Node's default is 16 KiB) and answers 431 above", async () => {
    const ok = await fetch(url, { headers: { "x-big": "a".repeat(24 * 1024) } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ bytes: 24 * 1024 });
    const tooBig = await fetch(url, { headers: { "x-big": "a".repeat(40 * 1024) } });
    expect(tooBig.status).toBe(431);
  });
});

describe("the Node adapter's upstream", () => {
  it("fetches through the undici dispatcher and streams the body", async () => {
    const upstream = await startUpstream(() => ({ chunks: ["one ", { delayMs: 50, data: "two" }] }));
    try {
      const response = await nodeUpstream(
        new Request(`${upstream.url}/v1/x`, { method: "POST", body: "{}" }),
      );
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("one two");
      expect(upstream.requests[0]).toMatchObject({ method: "POST", url: "/v1/x", body: "{}" });
    } finally {
      await upstream.close();
    }
  });
});

describe("SQLite on Node", () => {
  const node = RUNTIMES.find((r) => r.name === "node")!;

  it(
    NODE_HAS_SQLITE
      ? "uses node:sqlite for a file store"
      : "refuses a SQLite file on Node 20 and says to use PostgreSQL",
    async () => {
      if (NODE_HAS_SQLITE) {
        const server = await startServer({ command: node.command });
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
        await server.stop();
        return;
      }
      const dir = mkdtempSync(join(tmpdir(), "causeway-node-"));
      try {
        const run = promisify(execFile);
        const failure = await run(node.command[0]!, [...node.command.slice(1), "serve"], {
          cwd: dir,
          env: {
            PATH: process.env.PATH ?? "",
            CAUSEWAY_DB: join(dir, "causeway.db"),
            CAUSEWAY_LISTEN: "127.0.0.1:0",
          },
        }).then(
          () => null,
          (error: { code: number; stderr: string }) => error,
        );
        expect(failure?.code).toBe(1);
        expect(failure?.stderr).toContain("node:sqlite");
        expect(failure?.stderr).toContain("CAUSEWAY_DB=postgres://");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

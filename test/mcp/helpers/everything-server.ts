import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { ROOT } from "../../helpers/server-process.ts";

const ENTRY = join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const LOOPBACK_ONLY = join(ROOT, "../shared/tools/loopback-only.cjs");

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The reference MCP server, `@modelcontextprotocol/server-everything`, over Streamable HTTP on 127.0.0.1. */
export async function startEverythingServer() {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["--require", LOOPBACK_ONLY, ENTRY, "streamableHttp"], {
    env: { PATH: process.env.PATH ?? "", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let logs = "";
  child.stdout!.on("data", (d: Buffer) => (logs += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server-everything did not start:\n${logs}`)), 20_000);
    child.stderr!.on("data", (d: Buffer) => {
      logs += d.toString();
      if (logs.includes("listening on port")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => reject(new Error(`server-everything exited with ${code}:\n${logs}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    logs: () => logs,
    async stop(): Promise<void> {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGKILL");
      await exited;
    },
  };
}

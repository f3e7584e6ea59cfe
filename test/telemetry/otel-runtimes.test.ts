import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { type OtlpReceiver, startOtlpReceiver } from "../helpers/otlp-receiver.ts";
import { BUN, ROOT } from "../helpers/server-process.ts";
import { expectScenarioSpans } from "./scenario-assertions.ts";

const run = promisify(execFile);
const SCRIPT = join(ROOT, "test/telemetry/tracing-script.ts");

/** The exporters pick node:http on Node-like runtimes: these prove the spans get out on each. */
const RUNTIMES = [
  { name: "bun", command: [BUN, SCRIPT], env: {} },
  {
    name: "deno",
    command: [join(ROOT, "node_modules/.bin/deno"), "run", "-A", "--node-modules-dir=manual", SCRIPT],
    // The cache test/behaviour/runtimes.ts uses too: no cold start per test.
    env: { DENO_DIR: join(ROOT, "node_modules/.cache/deno"), DENO_NO_UPDATE_CHECK: "1" },
  },
] as const;

let collector: OtlpReceiver | null = null;
afterEach(async () => {
  await collector?.close();
  collector = null;
});

describe.each(RUNTIMES)("on $name", ({ command, env }) => {
  it.each(["http/protobuf", "http/json"])(
    "createTracing exports the scenario over %s",
    async (protocol) => {
      collector = await startOtlpReceiver();
      const { stdout } = await run(command[0], command.slice(1), {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          ...env,
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        },
        timeout: 60_000,
      });
      const { traceparents, logs } = JSON.parse(stdout) as { traceparents: string[]; logs: unknown[] };
      expect(logs).toEqual([]);
      expect(collector.requests.every((r) => r.contentType.includes(protocol.slice(5)))).toBe(true);
      expectScenarioSpans(collector.spans(), traceparents);
    },
    90_000,
  );
});

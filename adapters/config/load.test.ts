import { describe, expect, it } from "vitest";
import { DEFAULT_BREAKER, DEFAULT_LIMITS, DEFAULT_RETRY } from "../../core/config.ts";
import { ConfigError, resolveSettings } from "./load.ts";

const expectError = (yaml: string | null, env: Record<string, string>, message: RegExp): void => {
  let caught: unknown;
  try {
    resolveSettings(yaml, env);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  expect((caught as Error).message).toMatch(message);
};

describe("resolveSettings", () => {
  it("uses the contract's defaults and enables only providers with a key", () => {
    const settings = resolveSettings(null, { ANTHROPIC_API_KEY: "k1" });
    expect(settings.listen).toEqual({ hostname: "127.0.0.1", port: 8080 });
    expect(settings.db).toBe("./causeway.db");
    expect(settings.limits).toEqual(DEFAULT_LIMITS);
    expect(settings.providers).toEqual([
      {
        name: "anthropic",
        kind: "anthropic",
        baseUrl: "https://api.anthropic.com",
        apiKey: "k1",
        retry: DEFAULT_RETRY,
        circuitBreaker: DEFAULT_BREAKER,
      },
    ]);
  });

  it("lets the environment override the file", () => {
    const yaml = "listen: 0.0.0.0:9000\ndb: /var/file.db\n";
    const settings = resolveSettings(yaml, {
      CAUSEWAY_LISTEN: "127.0.0.1:7000",
      CAUSEWAY_DB: "postgres://db/x",
      OPENAI_API_KEY: "o",
      CAUSEWAY_OPENAI_BASE_URL: "http://127.0.0.1:1234",
    });
    expect(settings.listen.port).toBe(7000);
    expect(settings.db).toBe("postgres://db/x");
    expect(settings.providers).toMatchObject([
      { name: "openai", kind: "openai", baseUrl: "http://127.0.0.1:1234", apiKey: "o" },
    ]);
  });

  it("expands ${NAME} from the environment and reads limits", () => {
    const yaml = [
      "providers:",
      "  - { name: local, kind: openai, base_url: 'http://127.0.0.1:1', api_key: '${LOCAL_KEY}' }",
      "limits: { max_body_bytes: 1024, ping_interval_ms: 500 }",
    ].join("\n");
    const settings = resolveSettings(yaml, { LOCAL_KEY: "secret" });
    expect(settings.providers[0]).toMatchObject({ name: "local", apiKey: "secret" });
    expect(settings.limits.maxBodyBytes).toBe(1024);
    expect(settings.limits.pingIntervalMs).toBe(500);
  });

  it("reads a provider's telemetry setting; absent, the core's default (drop) applies", () => {
    const yaml = [
      "providers:",
      "  - { name: anthropic, kind: anthropic, api_key: a, telemetry: forward }",
      "  - { name: claude-eu, kind: anthropic, api_key: b, telemetry: drop }",
      "  - { name: claude-us, kind: anthropic, api_key: c }",
    ].join("\n");
    const providers = resolveSettings(yaml, {}).providers;
    expect(providers.map((p) => [p.name, p.telemetry])).toEqual([
      ["anthropic", "forward"],
      ["claude-eu", "drop"],
      ["claude-us", undefined],
    ]);
    expect(providers[2]).not.toHaveProperty("telemetry");
    expectError(
      "providers: [{ name: a, kind: anthropic, api_key: k, telemetry: keep }]",
      {},
      /providers\[0\]\.telemetry: must be "drop" or "forward"/,
    );
  });

  it("resolves the audit durability settings, with the spool next to the SQLite file by default", () => {
    expect(resolveSettings(null, { CAUSEWAY_DB: "/var/lib/cw/causeway.db" }).audit).toEqual({
      whenStoreDown: "spool",
      spoolPath: "/var/lib/cw/causeway.db.audit-spool.jsonl",
      maxSpoolBytes: 256 * 1024 * 1024,
    });
    expect(resolveSettings(null, { CAUSEWAY_DB: "postgres://db/x" }).audit.spoolPath).toBe(
      "./causeway-audit-spool.jsonl",
    );
    const yaml = "audit: { when_store_down: reject, spool_path: /tmp/s.jsonl, max_spool_bytes: 4096 }";
    expect(resolveSettings(yaml, {}).audit).toEqual({
      whenStoreDown: "reject",
      spoolPath: "/tmp/s.jsonl",
      maxSpoolBytes: 4096,
    });
    expectError(
      "audit: { when_store_down: drop }",
      {},
      /audit\.when_store_down: must be "spool" or "reject"/,
    );
    expectError("audit: { max_spool_bytes: 0 }", {}, /audit\.max_spool_bytes: must be at least 1/);
    expectError("audit: { spool_path: '' }", {}, /audit\.spool_path: must not be empty/);
  });

  it("reads metrics and log settings: the environment wins, defaults on", () => {
    const defaults = resolveSettings(null, {});
    expect(defaults.metrics).toEqual({ enabled: true, listen: null, labelCap: 100 });
    expect(defaults.logLevel).toBe("info");
    const file = "metrics:\n  listen: 0.0.0.0:9464\n  label_cap: 20\nlog:\n  level: warn\n";
    const fromFile = resolveSettings(file, {});
    expect(fromFile.metrics).toEqual({
      enabled: true,
      listen: { hostname: "0.0.0.0", port: 9464 },
      labelCap: 20,
    });
    expect(fromFile.logLevel).toBe("warn");
    const overridden = resolveSettings(file, {
      CAUSEWAY_METRICS_LISTEN: "127.0.0.1:9100",
      CAUSEWAY_LOG_LEVEL: "error",
    });
    expect(overridden.metrics.listen).toEqual({ hostname: "127.0.0.1", port: 9100 });
    expect(overridden.logLevel).toBe("error");
    expect(resolveSettings("metrics:\n  enabled: false\n", {}).metrics.enabled).toBe(false);
  });

  it("names the key and the problem", () => {
    expectError("limits: { max_body_bytes: -1 }", {}, /limits\.max_body_bytes: must be at least 1/);
    expectError("limits: { max_body_bytes: 'big' }", {}, /limits\.max_body_bytes: expected a number/);
    expectError("lmits: {}", {}, /lmits/);
    expectError(
      "providers: [{ name: a, kind: gemini }]",
      {},
      /providers\[0\]\.kind: must be "anthropic" or "openai"/,
    );
    expectError(
      "providers: [{ name: a, kind: openai, api_key: '${NOPE}' }]",
      {},
      /providers\[0\]\.api_key: environment variable NOPE is not set/,
    );
    expectError("listen: nonsense", {}, /listen: expected host:port/);
    expectError("a: [unclosed", {}, /not valid YAML/);
    expectError(
      "mcp: { servers: [{ name: s, url: 'http://127.0.0.1:1/mcp', deny: ['('] }] }",
      {},
      /mcp\.servers\[0\]\.deny\[0\]: is not a valid regular expression/,
    );
  });

  it("resolves key pools, retry and circuit breaker per instance", () => {
    const yaml = `providers:
  - name: pool
    kind: anthropic
    api_keys: [k1, k2, k3]
    retry: {attempts: 1, on: [529, connect], max_wait_ms: 5000}
    circuit_breaker: {failures: 3}
  - name: plain
    kind: openai
    api_key: o1
    retry: {attempts: 0}
    circuit_breaker: false
`;
    const [pool, plain] = resolveSettings(yaml, {}).providers;
    expect(pool).toMatchObject({
      apiKey: "k1",
      apiKeys: ["k1", "k2", "k3"],
      retry: { attempts: 1, statuses: new Set([529]), connect: true, maxWaitMs: 5000 },
      circuitBreaker: { failures: 3, windowMs: 10_000, openMs: 30_000 },
    });
    expect(plain?.retry?.attempts).toBe(0);
    expect(plain?.circuitBreaker).toBeUndefined();
    expectError(
      "providers:\n  - {name: x, kind: openai, api_key: k, retry: {on: [200]}}\n",
      {},
      /providers\[0\]\.retry\.on\[0\]/,
    );
    expectError(
      "providers:\n  - {name: x, kind: openai, api_keys: []}\n",
      {},
      /providers\[0\]\.api_keys: must hold at least one key/,
    );
  });
});

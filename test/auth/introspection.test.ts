import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthChain, AuthUnavailable } from "../../core/auth/auth-chain.ts";
import { type IntrospectionSettings, IntrospectionVerifier } from "../../core/auth/introspection-verifier.ts";
import { KeyVerifier } from "../../core/auth/key-verifier.ts";
import { ManualClock } from "../../core/ports/clock.ts";
import { MemoryDirectory } from "../helpers/memory-directory.ts";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";

/** What a Coder deployment's `GET /api/v2/users/me` answers for a session token (trimmed). */
const coderUser = (username: string, roles: string[]) =>
  JSON.stringify({
    id: `id-${username}`,
    username,
    email: `${username}@example.com`,
    status: "active",
    login_type: "oidc",
    roles: roles.map((name) => ({ name, display_name: name })),
  });

describe("introspection: opaque tokens checked by a real HTTP endpoint on 127.0.0.1", () => {
  let endpoint: Awaited<ReturnType<typeof startUpstream>>;
  /** token → the endpoint's answer; `Coder-Session-Token` carries the bare token. */
  const answers = new Map<string, UpstreamScript>();
  beforeAll(async () => {
    endpoint = await startUpstream((request: CapturedRequest) => {
      const token = String(request.headers["coder-session-token"] ?? request.headers.authorization ?? "");
      return (
        answers.get(token) ?? {
          status: 401,
          body: '{"message":"You must be logged in to perform this action."}',
        }
      );
    });
    answers.set("coder-alice", { body: coderUser("alice", ["member"]) });
    answers.set("coder-owner", { body: coderUser("olga", ["owner", "member"]) });
    answers.set("Bearer rfc-active", { body: '{"active": true, "username": "rita"}' });
    answers.set("Bearer rfc-inactive", { body: '{"active": false}' });
    answers.set("coder-500", { status: 500, body: "{}" });
    answers.set("coder-429", { status: 429, body: "{}" });
    answers.set("coder-html", { body: "<html>login</html>" });
    answers.set("coder-nameless", { body: '{"id": "x"}' });
    answers.set("coder-slow", { chunks: [{ delayMs: 5_000, data: "{}" }] });
  });
  afterAll(() => endpoint.close());

  const coder = (overrides: Partial<IntrospectionSettings> = {}): IntrospectionSettings => ({
    url: `${endpoint.url}/api/v2/users/me`,
    header: "Coder-Session-Token",
    scheme: "",
    userField: "username",
    nameField: "username",
    groupsField: "roles",
    adminGroups: ["owner"],
    cacheTtlMs: 60_000,
    timeoutMs: 500,
    ...overrides,
  });
  const setup = (overrides: Partial<IntrospectionSettings> = {}) => {
    const clock = new ManualClock(Date.now());
    const directory = new MemoryDirectory();
    const upstream = (request: Request) => fetch(request);
    const verifier = new IntrospectionVerifier(coder(overrides), directory, upstream, clock);
    const keys = new KeyVerifier(directory, clock, 60_000);
    return { clock, directory, chain: new AuthChain([keys, verifier], clock) };
  };
  const asked = (token: string) =>
    endpoint.requests.filter((r) => (r.headers["coder-session-token"] ?? r.headers.authorization) === token)
      .length;

  it("Coder: the session token goes in Coder-Session-Token, the answer names the user and its roles", async () => {
    const { chain, directory } = setup();
    expect(await chain.authenticate("coder-alice")).toMatchObject({
      name: "alice",
      roles: [],
      groups: ["member"],
      auth: { method: "introspection", keyId: null },
    });
    const request = endpoint.requests.at(-1)!;
    expect(request).toMatchObject({ method: "GET", url: "/api/v2/users/me" });
    expect(request.headers.authorization).toBeUndefined();
    expect(directory.users.size).toBe(1);
    expect((await chain.authenticate("coder-owner"))?.roles).toEqual(["admin"]);
  });

  it("caches positive and negative verdicts for cache_ttl_ms", async () => {
    const { chain, clock } = setup({ cacheTtlMs: 1_000 });
    const [good, bad] = [asked("coder-alice"), asked("coder-wrong")];
    for (let i = 0; i < 3; i++) {
      expect(await chain.authenticate("coder-alice")).not.toBeNull();
      expect(await chain.authenticate("coder-wrong")).toBeNull();
    }
    expect([asked("coder-alice") - good, asked("coder-wrong") - bad]).toEqual([1, 1]);
    clock.advance(1_000);
    await chain.authenticate("coder-alice");
    await chain.authenticate("coder-wrong");
    expect([asked("coder-alice") - good, asked("coder-wrong") - bad]).toEqual([2, 2]);
  });

  it("the contract's default: Authorization: Bearer; RFC 7662 `active: false` refuses", async () => {
    const { chain } = setup({ header: "Authorization", scheme: "Bearer" });
    expect((await chain.authenticate("rfc-active"))?.name).toBe("rita");
    expect(await chain.authenticate("rfc-inactive")).toBeNull();
  });

  it("a 5xx, 429, timeout, non-JSON or nameless answer decides nothing: 503, never cached", async () => {
    const { chain } = setup();
    for (const token of ["coder-500", "coder-429", "coder-slow", "coder-html", "coder-nameless"]) {
      const before = asked(token);
      await expect(chain.authenticate(token), token).rejects.toBeInstanceOf(AuthUnavailable);
      await expect(chain.authenticate(token), token).rejects.toBeInstanceOf(AuthUnavailable);
      expect(asked(token) - before, token).toBe(2);
    }
  });

  it("an answer past 256 KiB decides nothing (503), and is not read past the limit", async () => {
    const state = { pulled: 0, cancelled: false };
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        state.pulled += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      },
      cancel() {
        state.cancelled = true;
      },
    });
    const clock = new ManualClock(Date.now());
    const verifier = new IntrospectionVerifier(
      coder(),
      new MemoryDirectory(),
      async () => new Response(endless, { headers: { "content-type": "application/json" } }),
      clock,
    );
    const chain = new AuthChain([verifier], clock);
    await expect(chain.authenticate("coder-endless")).rejects.toBeInstanceOf(AuthUnavailable);
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThanOrEqual(256 * 1024 + 2 * 64 * 1024);
  });

  it("never sends a Causeway key, control characters or an oversized token to the endpoint", async () => {
    const { chain } = setup();
    const before = endpoint.requests.length;
    const key = `cw_${"A".repeat(43)}`;
    expect(await chain.authenticate(key)).toBeNull();
    expect(await chain.authenticate("with space")).toBeNull();
    expect(await chain.authenticate("x".repeat(5000))).toBeNull();
    expect(endpoint.requests.length).toBe(before);
  });

  it("an endpoint that is down is 503; a verdict cached before the outage keeps working", async () => {
    const { chain } = setup({ url: "http://127.0.0.1:9/api/v2/users/me" });
    await expect(chain.authenticate("coder-alice")).rejects.toBeInstanceOf(AuthUnavailable);
    const warm = setup();
    expect(await warm.chain.authenticate("coder-alice")).not.toBeNull();
    await endpoint.close(); // the last test: nothing after it needs the endpoint
    expect(await warm.chain.authenticate("coder-alice")).not.toBeNull();
    await expect(warm.chain.authenticate("coder-owner")).rejects.toBeInstanceOf(AuthUnavailable);
  });
});

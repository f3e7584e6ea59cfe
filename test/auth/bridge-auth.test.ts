import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthChain } from "../../core/auth/auth-chain.ts";
import { DEFAULT_JWT_ALGORITHMS, JwtVerifier } from "../../core/auth/jwt-verifier.ts";
import { KeyVerifier } from "../../core/auth/key-verifier.ts";
import { createBridge } from "../../core/bridge.ts";
import { DEFAULT_LIMITS } from "../../core/config.ts";
import { SequentialIds } from "../../core/ports/ids.ts";
import { MemoryRecorder } from "../../core/ports/recorder.ts";
import { AUDIENCE, segment, startIdentityProvider } from "../helpers/identity-provider.ts";
import { MemoryDirectory } from "../helpers/memory-directory.ts";

const systemClock = {
  now: () => Date.now(),
  setTimer: (ms: number, callback: () => void) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/**
 * What a client sees for each kind of bad credential: 401 in the provider's shape with the same
 * message whatever was wrong, 503 with retry-after when the identity provider cannot be reached;
 * the upstream is called for none of them.
 */
describe("the bridge with jwt auth: answers to good, bad and unverifiable tokens", () => {
  let idp: Awaited<ReturnType<typeof startIdentityProvider>>;
  const upstreamCalls: Request[] = [];
  const recorder = new MemoryRecorder();
  let bridge: ReturnType<typeof createBridge>;

  const makeBridge = (provider: typeof idp) => {
    const directory = new MemoryDirectory();
    const jwt = new JwtVerifier(
      {
        issuer: provider.issuer,
        audience: AUDIENCE,
        jwksUrl: provider.jwksUrl,
        userClaim: "sub",
        nameClaim: "preferred_username",
        groupsClaim: "groups",
        adminGroups: [],
        algorithms: DEFAULT_JWT_ALGORITHMS,
        clockSkewMs: 30_000,
        cacheTtlMs: 60_000,
        timeoutMs: 1_000,
      },
      directory,
      (request) => fetch(request),
      systemClock,
    );
    const auth = new AuthChain([new KeyVerifier(directory, systemClock, 60_000), jwt], systemClock);
    return createBridge(
      {
        providers: [
          { name: "anthropic", kind: "anthropic", baseUrl: "http://upstream.test", apiKey: "sk-ant-ent" },
          { name: "openai", kind: "openai", baseUrl: "http://upstream.test", apiKey: "sk-oai-ent" },
        ],
        limits: DEFAULT_LIMITS,
      },
      {
        auth,
        recorder,
        clock: systemClock,
        ids: new SequentialIds(),
        upstream: async (request) => {
          upstreamCalls.push(request);
          return Response.json({
            type: "message",
            content: [{ type: "text", text: "ok" }],
            usage: { input_tokens: 1, output_tokens: 1 },
          });
        },
      },
    );
  };

  beforeAll(async () => {
    idp = await startIdentityProvider();
    bridge = makeBridge(idp);
  });
  afterAll(() => idp.close());

  const messages = (token: string, path = "/anthropic/v1/messages", through = bridge) =>
    through.handle(
      new Request(`http://bridge.test${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: "claude-x",
          max_tokens: 4,
          messages: [{ role: "user", content: "hi" }],
        }),
      }),
    );

  it("a valid JWT is relayed with the enterprise key and audited under the name claim, method jwt", async () => {
    const response = await messages(await idp.token({ sub: "u-9", preferred_username: "nina" }));
    expect(response.status).toBe(200);
    const sent = upstreamCalls.at(-1)!;
    expect(sent.headers.get("x-api-key")).toBe("sk-ant-ent");
    expect(sent.headers.get("authorization")).toBeNull();
    const start = recorder.entries.find((e) => e.kind === "interception-start");
    expect(start).toMatchObject({ userName: "nina", authMethod: "jwt", keyId: null });
  });

  it("every bad token gets the same 401, in the provider's shape, and the upstream is not called", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: "x", iss: idp.issuer, aud: AUDIENCE, exp: now + 600 };
    const bad = {
      expired: await idp.token({ sub: "x" }, { expiresIn: now - 120 }),
      "not yet valid": await idp.token({ sub: "x", nbf: now + 600 }),
      "wrong issuer": await idp.token({ sub: "x", iss: "https://other.example" }),
      "wrong audience": await idp.token({ sub: "x", aud: "another-app" }),
      "alg none": `${segment({ alg: "none" })}.${segment(claims)}.`,
      "unknown signing key": await idp.token({ sub: "x" }, { kid: "nobody-published-this" }),
      malformed: "eyJhbGciOi.not-json.sig",
      "too large": await idp.token({ sub: "x", padding: "p".repeat(20_000) }),
    };
    const before = upstreamCalls.length;
    for (const [what, token] of Object.entries(bad)) {
      for (const path of ["/anthropic/v1/messages", "/openai/v1/chat/completions"]) {
        const response = await messages(token, path);
        expect(response.status, `${what} on ${path}`).toBe(401);
        const body = (await response.json()) as { error: { type: string; message: string } };
        expect(body.error.message, what).toBe("Invalid or missing API key.");
        expect(body.error.type).toBe(
          path.startsWith("/anthropic") ? "authentication_error" : "invalid_request_error",
        );
      }
    }
    expect(upstreamCalls.length).toBe(before);
  });

  it("an identity provider that cannot be reached: 503 with retry-after, never a 401, never a pass", async () => {
    const down = await startIdentityProvider();
    down.jwks = "down";
    try {
      const unverifiable = makeBridge(down);
      const token = await down.token({ sub: "x" });
      const before = upstreamCalls.length;
      const anthropic = await messages(token, "/anthropic/v1/messages", unverifiable);
      expect(anthropic.status).toBe(503);
      expect(anthropic.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
      const openai = await messages(token, "/openai/v1/chat/completions", unverifiable);
      expect(openai.status).toBe(503);
      expect(await openai.json()).toMatchObject({
        error: { type: "server_error", code: "service_unavailable" },
      });
      expect(upstreamCalls.length).toBe(before);
    } finally {
      await down.close();
    }
  });
});

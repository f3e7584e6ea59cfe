import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthChain, AuthUnavailable } from "../../core/auth/auth-chain.ts";
import { DEFAULT_JWT_ALGORITHMS, type JwtSettings, JwtVerifier } from "../../core/auth/jwt-verifier.ts";
import type { Clock } from "../../core/ports/clock.ts";
import { MemoryLogger } from "../../core/ports/logger.ts";
import { AUDIENCE, segment, startIdentityProvider } from "../helpers/identity-provider.ts";
import { MemoryDirectory } from "../helpers/memory-directory.ts";

/** Real time, shifted by `offset`: tokens are signed with the wall clock, the bridge may run ahead. */
function shiftedClock() {
  const clock = {
    offset: 0,
    now: () => Date.now() + clock.offset,
    setTimer: (ms: number, callback: () => void) => {
      const timer = setTimeout(callback, ms);
      return () => clearTimeout(timer);
    },
  };
  return clock satisfies Clock;
}

describe("jwt: OIDC tokens verified against a real JWKS endpoint on 127.0.0.1", () => {
  let idp: Awaited<ReturnType<typeof startIdentityProvider>>;
  beforeAll(async () => {
    idp = await startIdentityProvider();
  });
  afterAll(() => idp.close());

  const settings = (overrides: Partial<JwtSettings> = {}): JwtSettings => ({
    issuer: idp.issuer,
    audience: AUDIENCE,
    jwksUrl: idp.jwksUrl,
    userClaim: "sub",
    nameClaim: "preferred_username",
    groupsClaim: "groups",
    adminGroups: ["platform"],
    algorithms: DEFAULT_JWT_ALGORITHMS,
    clockSkewMs: 30_000,
    cacheTtlMs: 60_000,
    timeoutMs: 2_000,
    ...overrides,
  });
  const setup = (overrides: Partial<JwtSettings> = {}) => {
    const clock = shiftedClock();
    const directory = new MemoryDirectory();
    const logger = new MemoryLogger();
    const verifier = new JwtVerifier(settings(overrides), directory, (r) => fetch(r), clock, logger);
    return { clock, directory, verifier, logger, chain: new AuthChain([verifier], clock) };
  };

  it("accepts a valid token: the user is created on first sight, named by the name claim, with groups", async () => {
    const { chain, directory } = setup();
    const principal = await chain.authenticate(await idp.token({ sub: "u-1", preferred_username: "dana" }));
    expect(principal).toMatchObject({
      name: "dana",
      roles: [],
      groups: ["dev"],
      auth: { method: "jwt", keyId: null },
    });
    expect([...directory.users.values()].map((u) => u.identity)).toEqual([`jwt:${idp.issuer}|u-1`]);
    // The same subject later: the same user, not a second one.
    await chain.authenticate(await idp.token({ sub: "u-1", preferred_username: "dana", nonce: 2 }));
    expect(directory.users.size).toBe(1);
  });

  it("gives the admin role to members of admin_groups only", async () => {
    const { chain } = setup();
    const admin = await chain.authenticate(await idp.token({ sub: "u-2", groups: ["dev", "platform"] }));
    expect(admin?.roles).toEqual(["admin"]);
    const plain = await chain.authenticate(await idp.token({ sub: "u-3", groups: "dev" }));
    expect(plain).toMatchObject({ roles: [], groups: ["dev"] });
  });

  it("reads the JWKS URL from the issuer's discovery document when none is configured", async () => {
    const { chain } = setup({ jwksUrl: null });
    const before = idp.requests.filter((r) => r.url === "/.well-known/openid-configuration").length;
    expect(await chain.authenticate(await idp.token({ sub: "u-4" }))).not.toBeNull();
    expect(idp.requests.filter((r) => r.url === "/.well-known/openid-configuration").length).toBe(before + 1);
  });

  it("refuses expired, not-yet-valid, wrong issuer, wrong audience and exp-less tokens", async () => {
    const { chain } = setup();
    const now = Math.floor(Date.now() / 1000);
    const bad = [
      await idp.token({ sub: "x" }, { expiresIn: now - 120 }),
      await idp.token({ sub: "x", nbf: now + 300 }),
      await idp.token({ sub: "x", iss: "https://evil.example" }),
      await idp.token({ sub: "x", aud: "someone-else" }),
      await new SignJWT({ sub: "x" })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(idp.issuer)
        .setAudience(AUDIENCE)
        .sign((await idp.signingKey()).privateKey),
    ];
    for (const token of bad) expect(await chain.authenticate(token)).toBeNull();
  });

  it("tolerates 30 s of clock skew, not more", async () => {
    const { chain, clock } = setup();
    const now = Math.floor(Date.now() / 1000);
    const token = await idp.token({ sub: "skew" }, { expiresIn: now + 10 });
    clock.offset = 25_000; // our clock 25 s ahead: expired 15 s ago, within the skew
    expect(await chain.authenticate(token)).not.toBeNull();
    const other = setup();
    other.clock.offset = 45_000;
    expect(await other.chain.authenticate(token)).toBeNull();
  });

  it("refuses alg none, HS256 signed with the public key, a forged signature and malformed tokens", async () => {
    const { chain } = setup();
    const claims = { sub: "x", iss: idp.issuer, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 };
    const none = `${segment({ alg: "none" })}.${segment(claims)}.`;
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .sign(new TextEncoder().encode(await idp.publicPem()));
    const real = await idp.token({ sub: "x" });
    const [header, , signature] = real.split(".");
    const tampered = `${header}.${segment({ ...claims, sub: "admin" })}.${signature}`;
    for (const token of [none, hmac, tampered, "a.b.c", `${header}.!!!.${signature}`])
      expect(await chain.authenticate(token), token.slice(0, 40)).toBeNull();
  });

  it("refuses a token of a disabled user", async () => {
    const { chain, directory } = setup({ cacheTtlMs: 0 });
    expect(
      await chain.authenticate(await idp.token({ sub: "u-dis", preferred_username: "mallory" })),
    ).not.toBeNull();
    directory.disable("mallory");
    expect(
      await chain.authenticate(await idp.token({ sub: "u-dis", preferred_username: "mallory", n: 1 })),
    ).toBeNull();
  });

  it("follows a key rotation: an unknown kid refetches the JWKS, at most once per cooldown", async () => {
    const { chain, clock } = setup();
    expect(await chain.authenticate(await idp.token({ sub: "rot" }))).not.toBeNull();
    const fetches = idp.jwksFetches();
    await idp.rotate("k2");
    // Within 30 s of the last fetch even a real new kid waits (the price of the rate limit).
    expect(await chain.authenticate(await idp.token({ sub: "rot", n: 0 }))).toBeNull();
    expect(idp.jwksFetches()).toBe(fetches);
    clock.offset = 31_000;
    expect(await chain.authenticate(await idp.token({ sub: "rot", n: 1 }))).not.toBeNull();
    expect(idp.jwksFetches()).toBe(fetches + 1);
    // A flood of tokens naming kids nobody published: refused, and no more fetches.
    for (let i = 0; i < 20; i++)
      expect(
        await chain.authenticate(await idp.token({ sub: "flood", n: i }, { kid: `bogus-${i}` })),
      ).toBeNull();
    expect(idp.jwksFetches()).toBe(fetches + 1);
  });

  it("with the JWKS endpoint down: known keys keep verifying; without keys it is 503, never 401", async () => {
    const warm = setup();
    expect(await warm.chain.authenticate(await idp.token({ sub: "warm" }))).not.toBeNull();
    idp.jwks = "down";
    try {
      warm.clock.offset = 11 * 60_000; // past the keys' max age: a refresh is tried and fails
      const token = await idp.token({ sub: "warm", n: 1 }, { expiresIn: "2h" });
      expect(await warm.chain.authenticate(token)).not.toBeNull();
      // The operator hears of the outage although tokens still verify.
      expect(warm.logger.lines).toMatchObject([
        {
          level: "warn",
          message: "identity provider keys could not be fetched",
          fields: { issuer: idp.issuer, verifying_with: "the keys fetched earlier" },
        },
      ]);

      const cold = setup();
      const fresh = await idp.token({ sub: "cold" });
      await expect(cold.chain.authenticate(fresh)).rejects.toBeInstanceOf(AuthUnavailable);
      expect(cold.logger.lines[0]?.fields?.verifying_with).toMatch(/^no keys/);
      idp.jwks = "garbage";
      await expect(setup().chain.authenticate(fresh)).rejects.toBeInstanceOf(AuthUnavailable);
    } finally {
      idp.jwks = "up";
    }
  });

  it("after an outage with no keys held, the first token a second after recovery is verified", async () => {
    idp.jwks = "down";
    const { chain, clock } = setup();
    const token = await idp.token({ sub: "back" });
    const before = idp.jwksFetches();
    try {
      for (let i = 0; i < 5; i++)
        await expect(chain.authenticate(token)).rejects.toBeInstanceOf(AuthUnavailable);
      expect(idp.jwksFetches() - before).toBe(1); // one try a second, not one per token
    } finally {
      idp.jwks = "up";
    }
    // Recovered, but the last try was under a second ago: still 503, then verified.
    await expect(chain.authenticate(token)).rejects.toBeInstanceOf(AuthUnavailable);
    clock.offset = 1_000;
    expect(await chain.authenticate(token)).not.toBeNull();
  });

  it("an unreachable identity provider (connection refused) is 503 as well", async () => {
    const { chain } = setup({ jwksUrl: "http://127.0.0.1:9/jwks" });
    await expect(chain.authenticate(await idp.token({ sub: "nowhere" }))).rejects.toBeInstanceOf(
      AuthUnavailable,
    );
  });
});

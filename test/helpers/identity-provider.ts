import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { startUpstream } from "./upstream-server.ts";

export const AUDIENCE = "causeway";

/**
 * A real OpenID provider on 127.0.0.1, as far as a bridge sees one: a discovery document, a JWKS
 * endpoint (which can rotate its key or go down) and tokens signed with its current key. Every
 * request it gets is recorded, so tests can count JWKS fetches.
 */
export async function startIdentityProvider() {
  let signing = await newSigningKey("k1");
  let published = [signing];
  let jwksMode: "up" | "down" | "garbage" = "up";
  const server = await startUpstream((request) => {
    if (request.url === "/.well-known/openid-configuration")
      return { body: JSON.stringify({ issuer: server.url, jwks_uri: `${server.url}/jwks` }) };
    if (request.url === "/jwks") {
      if (jwksMode === "down") return { status: 503, body: "{}" };
      if (jwksMode === "garbage") return { body: '{"keys": "no"}' };
      return { body: JSON.stringify({ keys: published.map((key) => key.jwk) }) };
    }
    return { status: 404, body: "{}" };
  });
  const issuer = server.url;

  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    requests: server.requests,
    jwksFetches: () => server.requests.filter((r) => r.url === "/jwks").length,
    set jwks(mode: "up" | "down" | "garbage") {
      jwksMode = mode;
    },
    /** A token as the provider issues it; `claims` and `header` override the defaults. */
    async token(
      claims: JWTPayload = {},
      options: { expiresIn?: string | number; kid?: string; key?: CryptoKey } = {},
    ): Promise<string> {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ preferred_username: "alice", groups: ["dev"], ...claims })
        .setProtectedHeader({ alg: "RS256", kid: options.kid ?? signing.kid })
        .setIssuer(typeof claims.iss === "string" ? claims.iss : issuer)
        .setAudience(claims.aud ?? AUDIENCE)
        .setSubject(typeof claims.sub === "string" ? claims.sub : "user-alice")
        .setIssuedAt(now)
        .setExpirationTime(options.expiresIn ?? "1h")
        .sign(options.key ?? signing.privateKey);
    },
    /** A new signing key, published beside the old one (as providers rotate). */
    async rotate(kid: string): Promise<void> {
      signing = await newSigningKey(kid);
      published = [...published, signing];
    },
    /** The current signing key, for tokens built by hand. */
    signingKey: async () => signing,
    /** The current public key as PEM: what an HS256-with-the-public-key forgery uses as secret. */
    publicPem: () => exportSPKI(signing.publicKey),
    close: () => server.close(),
  };
}

async function newSigningKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, publicKey, jwk };
}

/** base64url of a JSON value, for hand-made (forged) tokens. */
export function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

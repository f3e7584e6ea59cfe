import { errors, type JWSAlgorithm, type JWTPayload, jwtVerify } from "jose";
import type { Clock } from "../ports/clock.ts";
import { type Logger, silentLogger } from "../ports/logger.ts";
import type { Upstream } from "../ports/upstream.ts";
import { readText, vouchedVerdict } from "./claims.ts";
import { discoveredJwksUrl, KeySetUnavailable, RemoteKeySet } from "./remote-key-set.ts";
import type { CredentialVerifier, Directory, Verdict } from "./verifier.ts";

export interface JwtSettings {
  readonly issuer: string;
  /** One audience or several; the token's `aud` must hold one of them. */
  readonly audience: string | readonly string[];
  /** Defaults to the `jwks_uri` of the issuer's OpenID discovery document. */
  readonly jwksUrl: string | null;
  readonly userClaim: string;
  readonly nameClaim: string;
  readonly groupsClaim: string;
  readonly adminGroups: readonly string[];
  /** Only asymmetric algorithms by default: an HMAC "signed" with the public key must not pass. */
  readonly algorithms: readonly JWSAlgorithm[];
  readonly clockSkewMs: number;
  /** How long a verified token's principal is reused (never past the token's `exp`). */
  readonly cacheTtlMs: number;
  readonly timeoutMs: number;
}

/**
 * The algorithms `auth.jwt.algorithms` may name, and the default: asymmetric only. An HMAC
 * algorithm would let a token "signed" with the provider's public key pass.
 */
export const ASYMMETRIC_JWS_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
] as const satisfies readonly JWSAlgorithm[];

export const DEFAULT_JWT_ALGORITHMS: readonly JWSAlgorithm[] = ASYMMETRIC_JWS_ALGORITHMS;

/** Compact JWS: three base64url parts (the signature may be empty, as `alg: none` has it). */
const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Tokens are verified only up to this size; an IdP's tokens with many groups stay far below. */
const MAX_TOKEN_LENGTH = 16 * 1024;

/**
 * `jwt`: OIDC/JWT bearer tokens, verified by jose against the issuer's JWKS: signature with an
 * allowed algorithm, `iss`, `aud`, `exp` and `nbf` with a small clock skew. The user is found
 * (or created, just in time) by issuer and subject, and audited under the name claim.
 */
export class JwtVerifier implements CredentialVerifier {
  readonly method = "jwt" as const;
  readonly #settings: JwtSettings;
  readonly #directory: Directory;
  readonly #clock: Clock;
  readonly #keys: RemoteKeySet;
  readonly #origin: string;

  constructor(
    settings: JwtSettings,
    directory: Directory,
    upstream: Upstream,
    clock: Clock,
    logger: Logger = silentLogger,
  ) {
    this.#settings = settings;
    this.#directory = directory;
    this.#clock = clock;
    this.#origin = `jwt:${settings.issuer}`;
    const jwksUrl = settings.jwksUrl;
    const locate = jwksUrl
      ? async () => jwksUrl
      : discoveredJwksUrl(settings.issuer, upstream, settings.timeoutMs);
    this.#keys = new RemoteKeySet(locate, upstream, clock, {
      maxAgeMs: 10 * 60_000,
      cooldownMs: 30_000,
      timeoutMs: settings.timeoutMs,
      onFailure: (reason, stale) =>
        logger.warn("identity provider keys could not be fetched", {
          issuer: settings.issuer,
          reason,
          verifying_with: stale
            ? "the keys fetched earlier"
            : "no keys: tokens get 503 until a fetch succeeds",
        }),
    });
  }

  claims(credential: string): boolean {
    return credential.length <= MAX_TOKEN_LENGTH && JWS_SHAPE.test(credential);
  }

  async verify(token: string): Promise<Verdict> {
    const s = this.#settings;
    const now = this.#clock.now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#keys.getKey, {
        issuer: s.issuer,
        audience: [...(typeof s.audience === "string" ? [s.audience] : s.audience)],
        algorithms: [...s.algorithms],
        clockTolerance: Math.round(s.clockSkewMs / 1000),
        currentDate: new Date(now),
        requiredClaims: ["exp"],
      }));
    } catch (error) {
      if (error instanceof KeySetUnavailable)
        return { kind: "unavailable", reason: `jwks: ${error.message}` };
      // A key not published yet may be by the next fetch: that refusal is not remembered.
      const until = error instanceof errors.JWKSNoMatchingKey ? now : now + s.cacheTtlMs;
      return { kind: "rejected", until };
    }
    const subject = readText(payload, s.userClaim);
    if (subject === null) return { kind: "rejected", until: now + s.cacheTtlMs };
    // `exp` is required above: the principal is never reused past it.
    const expiresAt = (payload.exp as number) * 1000 + s.clockSkewMs;
    return vouchedVerdict(
      this.#directory,
      { origin: this.#origin, subject, method: "jwt" },
      payload,
      { user: s.userClaim, name: s.nameClaim, groups: s.groupsClaim, adminGroups: s.adminGroups },
      { now, acceptedUntil: Math.min(now + s.cacheTtlMs, expiresAt), rejectedUntil: now + s.cacheTtlMs },
    );
  }
}

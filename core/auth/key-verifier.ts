import type { Principal } from "../ports/auth.ts";
import type { Clock } from "../ports/clock.ts";
import { hashKey, isKeyShaped } from "./keys.ts";
import { modelScope } from "./model-scopes.ts";
import {
  type CredentialVerifier,
  type Directory,
  describeError,
  type KeyRecord,
  type Verdict,
} from "./verifier.ts";

/**
 * `keys`: Causeway keys, looked up by their SHA-256 hash (so the lookup takes the same time
 * whatever the secret; no comparison of secrets ever runs). A key's verdict is reused for at
 * most `ttlMs` and never past the key's expiry: revoking a key or disabling its user reaches
 * every instance within `ttlMs`.
 */
export class KeyVerifier implements CredentialVerifier {
  readonly method = "keys" as const;
  readonly #directory: Directory;
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(directory: Directory, clock: Clock, ttlMs: number) {
    this.#directory = directory;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  claims(credential: string): boolean {
    return isKeyShaped(credential);
  }

  async verify(credential: string): Promise<Verdict> {
    const now = this.#clock.now();
    let key: KeyRecord | null;
    try {
      key = await this.#directory.keyByHash(await hashKey(credential), now);
    } catch (error) {
      return { kind: "unavailable", reason: `store: ${describeError(error)}` };
    }
    if (key === null || key.user.disabled) return { kind: "rejected", until: now + this.#ttlMs };
    const principal: Principal = {
      userId: key.user.id,
      name: key.user.name,
      roles: key.user.isAdmin ? ["admin"] : [],
      auth: { method: "keys", keyId: key.id },
      ...(key.models.length > 0 ? { models: key.models.map(modelScope) } : {}),
    };
    const until = Math.min(now + this.#ttlMs, key.expiresAt ?? Number.POSITIVE_INFINITY);
    return { kind: "accepted", principal, until };
  }
}

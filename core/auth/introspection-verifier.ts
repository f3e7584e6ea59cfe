import { parseJsonObject, readResponseWithLimit } from "../http/body.ts";
import type { Clock } from "../ports/clock.ts";
import type { Upstream } from "../ports/upstream.ts";
import { readText, vouchedVerdict } from "./claims.ts";
import { isKeyShaped } from "./keys.ts";
import { type CredentialVerifier, type Directory, describeError, type Verdict } from "./verifier.ts";

export interface IntrospectionSettings {
  readonly url: string;
  /** The header the token is sent in, e.g. `Authorization` or Coder's `Coder-Session-Token`. */
  readonly header: string;
  /** Prefix of the header value (`Bearer`); empty for none. */
  readonly scheme: string;
  readonly userField: string;
  readonly nameField: string;
  readonly groupsField: string;
  readonly adminGroups: readonly string[];
  /** How long a positive or negative verdict is reused. */
  readonly cacheTtlMs: number;
  readonly timeoutMs: number;
}

/** Opaque tokens are sent on only up to this size. */
const MAX_TOKEN_LENGTH = 4096;
/** An introspection answer is a small JSON object; more is not read. */
const MAX_ANSWER_BYTES = 256 * 1024;

/**
 * `introspection`: opaque tokens checked by an HTTP endpoint that knows them, e.g. a Coder
 * deployment's `/api/v2/users/me`. A 2xx JSON answer names the principal; 401/403 (or any other
 * 4xx, or `"active": false` as RFC 7662 endpoints say it) refuses the token. A timeout, a
 * connection error or a 5xx decides nothing: `unavailable` (the bridge answers 503).
 * Causeway's own keys are never sent: they are no business of the endpoint's.
 */
export class IntrospectionVerifier implements CredentialVerifier {
  readonly method = "introspection" as const;
  readonly #settings: IntrospectionSettings;
  readonly #directory: Directory;
  readonly #upstream: Upstream;
  readonly #clock: Clock;
  readonly #origin: string;

  constructor(settings: IntrospectionSettings, directory: Directory, upstream: Upstream, clock: Clock) {
    this.#settings = settings;
    this.#directory = directory;
    this.#upstream = upstream;
    this.#clock = clock;
    this.#origin = `introspection:${new URL(settings.url).origin}`;
  }

  claims(credential: string): boolean {
    return (
      credential.length <= MAX_TOKEN_LENGTH && !isKeyShaped(credential) && /^[\x21-\x7e]+$/.test(credential)
    );
  }

  async verify(token: string): Promise<Verdict> {
    const s = this.#settings;
    const now = this.#clock.now();
    const rejected: Verdict = { kind: "rejected", until: now + s.cacheTtlMs };
    let response: Response;
    try {
      response = await this.#upstream(
        new Request(s.url, {
          headers: { [s.header]: s.scheme ? `${s.scheme} ${token}` : token, accept: "application/json" },
          redirect: "manual",
          signal: AbortSignal.timeout(s.timeoutMs),
        }),
      );
    } catch (error) {
      return { kind: "unavailable", reason: `introspection: ${describeError(error)}` };
    }
    if (response.status < 200 || response.status >= 300) {
      await response.body?.cancel().catch(() => {});
      // The endpoint refused this token; a 5xx, 408 or 429 says nothing about it.
      const refused =
        response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
      return refused ? rejected : { kind: "unavailable", reason: `introspection: HTTP ${response.status}` };
    }
    const answer = await readAnswer(response);
    if (answer === null)
      return { kind: "unavailable", reason: "introspection: the answer is not a JSON object" };
    if (answer.active === false) return rejected;
    const subject = readText(answer, s.userField);
    if (subject === null)
      return { kind: "unavailable", reason: `introspection: the answer has no "${s.userField}"` };
    return vouchedVerdict(
      this.#directory,
      { origin: this.#origin, subject, method: "introspection" },
      answer,
      { user: s.userField, name: s.nameField, groups: s.groupsField, adminGroups: s.adminGroups },
      { now, acceptedUntil: now + s.cacheTtlMs, rejectedUntil: now + s.cacheTtlMs },
    );
  }
}

/** The answer's JSON object; null when it is not one, or larger than MAX_ANSWER_BYTES (counted while read). */
async function readAnswer(response: Response): Promise<Record<string, unknown> | null> {
  const read = await readResponseWithLimit(response, MAX_ANSWER_BYTES);
  if (!read.ok) return null;
  const parsed = parseJsonObject(read.bytes);
  return parsed.ok ? parsed.json : null;
}

import { describe, expect, it } from "vitest";
import type { Principal } from "../ports/auth.ts";
import { ManualClock } from "../ports/clock.ts";
import { AuthChain, AuthUnavailable } from "./auth-chain.ts";
import type { CredentialVerifier, Verdict } from "./verifier.ts";

const alice: Principal = { userId: "u1", name: "alice", roles: [], auth: { method: "jwt", keyId: null } };
const bob: Principal = {
  userId: "u2",
  name: "bob",
  roles: [],
  auth: { method: "introspection", keyId: null },
};

/** A method that claims credentials by prefix and answers from a table; it counts its calls. */
function method(
  name: CredentialVerifier["method"],
  prefix: string,
  answer: (credential: string, now: number) => Verdict,
  clock: ManualClock,
) {
  const asked: string[] = [];
  const verifier: CredentialVerifier = {
    method: name,
    claims: (credential) => credential.startsWith(prefix),
    async verify(credential) {
      asked.push(credential);
      return answer(credential, clock.now());
    },
  };
  return { verifier, asked };
}

describe("the auth chain", () => {
  it("asks only the methods whose form the credential has, in order, until one accepts", async () => {
    const clock = new ManualClock();
    const keys = method("keys", "cw_", (_, now) => ({ kind: "rejected", until: now + 1000 }), clock);
    const jwt = method(
      "jwt",
      "ey",
      (c, now) =>
        c === "ey-alice"
          ? { kind: "accepted", principal: alice, until: now + 1000 }
          : { kind: "rejected", until: now + 1000 },
      clock,
    );
    const intro = method(
      "introspection",
      "",
      (c, now) =>
        c === "ey-bob"
          ? { kind: "accepted", principal: bob, until: now + 1000 }
          : { kind: "rejected", until: now + 1000 },
      clock,
    );
    const chain = new AuthChain([keys.verifier, jwt.verifier, intro.verifier], clock);

    expect(await chain.authenticate("ey-alice")).toBe(alice);
    expect(intro.asked).toEqual([]); // accepted before it
    expect(await chain.authenticate("ey-bob")).toBe(bob); // jwt refused, introspection vouched
    expect(jwt.asked).toEqual(["ey-alice", "ey-bob"]);
    expect(keys.asked).toEqual([]); // never its form
    expect(await chain.authenticate("opaque")).toBeNull();
    expect(intro.asked).toEqual(["ey-bob", "opaque"]);
  });

  it("reuses a verdict, positive or negative, until its method's `until`, then asks again", async () => {
    const clock = new ManualClock();
    const jwt = method(
      "jwt",
      "ey",
      (c, now) =>
        c === "ey-alice"
          ? { kind: "accepted", principal: alice, until: now + 500 }
          : { kind: "rejected", until: now + 200 },
      clock,
    );
    const chain = new AuthChain([jwt.verifier], clock);
    await chain.authenticate("ey-alice");
    await chain.authenticate("ey-forged");
    clock.advance(199);
    expect(await chain.authenticate("ey-alice")).toBe(alice);
    expect(await chain.authenticate("ey-forged")).toBeNull();
    expect(jwt.asked).toEqual(["ey-alice", "ey-forged"]);
    clock.advance(1); // the refusal is stale, the acceptance not yet
    await chain.authenticate("ey-forged");
    await chain.authenticate("ey-alice");
    expect(jwt.asked).toEqual(["ey-alice", "ey-forged", "ey-forged"]);
    clock.advance(300);
    await chain.authenticate("ey-alice");
    expect(jwt.asked).toEqual(["ey-alice", "ey-forged", "ey-forged", "ey-alice"]);
  });

  it("throws (503) when none accepted and one could not decide; an acceptance still wins", async () => {
    const clock = new ManualClock();
    const jwt = method("jwt", "ey", () => ({ kind: "unavailable", reason: "jwks: HTTP 503" }), clock);
    const intro = method(
      "introspection",
      "",
      (c, now) =>
        c === "ey-bob"
          ? { kind: "accepted", principal: bob, until: now + 1000 }
          : { kind: "rejected", until: now + 1000 },
      clock,
    );
    const chain = new AuthChain([jwt.verifier, intro.verifier], clock);
    await expect(chain.authenticate("ey-alice")).rejects.toBeInstanceOf(AuthUnavailable);
    await expect(chain.authenticate("ey-alice")).rejects.toThrow("jwt: jwks: HTTP 503");
    expect(jwt.asked).toEqual(["ey-alice", "ey-alice"]); // an outage is never cached
    expect(await chain.authenticate("ey-bob")).toBe(bob);
  });

  it("refuses, unasked and uncached, what no method claims, an empty credential and one over 16 KiB", async () => {
    const clock = new ManualClock();
    const keys = method("keys", "cw_", (_, now) => ({ kind: "rejected", until: now + 1000 }), clock);
    const chain = new AuthChain([keys.verifier], clock);
    expect(await chain.authenticate("sk-ant-provider-key")).toBeNull();
    expect(await chain.authenticate("")).toBeNull();
    expect(await chain.authenticate(`cw_${"a".repeat(16 * 1024)}`)).toBeNull();
    expect(keys.asked).toEqual([]);
  });

  it("keeps at most 10,000 verdicts, dropping the oldest first", async () => {
    const clock = new ManualClock();
    const intro = method("introspection", "", (_, now) => ({ kind: "rejected", until: now + 60_000 }), clock);
    const chain = new AuthChain([intro.verifier], clock);
    for (let i = 0; i <= 10_000; i++) await chain.authenticate(`t${i}`);
    expect(intro.asked).toHaveLength(10_001);
    await chain.authenticate("t10000"); // newest: still cached
    expect(intro.asked).toHaveLength(10_001);
    await chain.authenticate("t0"); // oldest: dropped when t10000 came
    expect(intro.asked).toHaveLength(10_002);
  });
});

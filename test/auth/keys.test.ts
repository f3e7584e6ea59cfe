import { describe, expect, it } from "vitest";
import { AuthChain, AuthUnavailable } from "../../core/auth/auth-chain.ts";
import { KeyVerifier } from "../../core/auth/key-verifier.ts";
import { hashKey, newKey } from "../../core/auth/keys.ts";
import { mayUseModel } from "../../core/auth/model-scopes.ts";
import { ManualClock } from "../../core/ports/clock.ts";
import { MemoryDirectory } from "../helpers/memory-directory.ts";

const user = { id: "usr_1", name: "kai", isAdmin: false, disabled: false };

async function setup(key: { expiresAt?: number | null; models?: string[] } = {}) {
  const clock = new ManualClock();
  const directory = new MemoryDirectory();
  const token = newKey(new Uint8Array(32).fill(7));
  directory.users.set(user.id, { ...user, identity: "local" });
  directory.keys.set(await hashKey(token), {
    id: "key_1",
    user,
    expiresAt: key.expiresAt ?? null,
    models: key.models ?? [],
    revoked: false,
  });
  const chain = new AuthChain([new KeyVerifier(directory, clock, 60_000)], clock);
  return { clock, directory, token, chain };
}

describe("keys: Causeway keys through the chain", () => {
  it("names the key that was used, and its scopes as whole-name patterns", async () => {
    const { chain, token } = await setup({ models: ["claude-sonnet-.*", "gpt-4o"] });
    const principal = await chain.authenticate(token);
    expect(principal).toMatchObject({ name: "kai", roles: [], auth: { method: "keys", keyId: "key_1" } });
    expect(mayUseModel(principal!, "claude-sonnet-4-5")).toBe(true);
    expect(mayUseModel(principal!, "gpt-4o")).toBe(true);
    expect(mayUseModel(principal!, "gpt-4o-mini")).toBe(false);
    expect(mayUseModel(principal!, "my-claude-sonnet-4")).toBe(false);
  });

  it("a cached key is never used past its expiry, however long the cache TTL", async () => {
    const clock0 = new ManualClock();
    const { chain, token, clock } = await setup({ expiresAt: clock0.now() + 500 });
    expect(await chain.authenticate(token)).not.toBeNull();
    clock.advance(499);
    expect(await chain.authenticate(token)).not.toBeNull();
    clock.advance(1);
    expect(await chain.authenticate(token)).toBeNull();
  });

  it("the store down: 503 for a key not in the cache, cached keys keep working", async () => {
    const { chain, token, directory } = await setup();
    expect(await chain.authenticate(token)).not.toBeNull();
    directory.down = true;
    expect(await chain.authenticate(token)).not.toBeNull();
    await expect(chain.authenticate(newKey(new Uint8Array(32).fill(9)))).rejects.toBeInstanceOf(
      AuthUnavailable,
    );
  });

  it("a user created with --admin has the admin role; others have none", async () => {
    const { chain, token, directory } = await setup();
    expect((await chain.authenticate(token))?.roles).toEqual([]);
    const adminKey = newKey(new Uint8Array(32).fill(3));
    const admin = { id: "usr_2", name: "ada", isAdmin: true, disabled: false };
    directory.users.set(admin.id, { ...admin, identity: "local" });
    directory.keys.set(await hashKey(adminKey), {
      id: "key_2",
      user: admin,
      expiresAt: null,
      models: [],
      revoked: false,
    });
    expect((await chain.authenticate(adminKey))?.roles).toEqual(["admin"]);
  });

  it("a disabled user's key is refused", async () => {
    const { chain, token, directory } = await setup();
    directory.users.set(user.id, { ...user, disabled: true, identity: "local" });
    expect(await chain.authenticate(token)).toBeNull();
  });
});

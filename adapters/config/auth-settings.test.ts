import { describe, expect, it } from "vitest";
import { ConfigError, resolveSettings } from "./load.ts";

const auth = (yaml: string) => resolveSettings(yaml, {}).auth;
const refused = (yaml: string): string => {
  try {
    resolveSettings(yaml, {});
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("accepted");
};

describe("auth: in the config file", () => {
  it("defaults to Causeway keys only, cached 60 s", () => {
    expect(auth("")).toEqual({ methods: ["keys"], cacheTtlMs: 60_000, jwt: null, introspection: null });
  });

  it("resolves jwt with the contract's claim names and asymmetric algorithms only", () => {
    const jwt = auth(
      "auth:\n  methods: [jwt, keys]\n  jwt:\n    issuer: https://idp.example\n    audience: [causeway, cli]\n",
    ).jwt;
    expect(jwt).toMatchObject({
      issuer: "https://idp.example",
      audience: ["causeway", "cli"],
      jwksUrl: null,
      userClaim: "sub",
      nameClaim: "preferred_username",
      groupsClaim: "groups",
      adminGroups: [],
      clockSkewMs: 30_000,
    });
    expect(jwt?.algorithms).not.toContain("HS256");
  });

  it("resolves introspection: Bearer in Authorization by default, the bare token in a custom header", () => {
    const base =
      "auth:\n  methods: [introspection]\n  introspection:\n    url: https://coder.example/api/v2/users/me\n";
    expect(auth(base).introspection).toMatchObject({
      header: "Authorization",
      scheme: "Bearer",
      userField: "username",
      groupsField: "roles",
    });
    expect(auth(`${base}    header: Coder-Session-Token\n`).introspection).toMatchObject({
      header: "Coder-Session-Token",
      scheme: "",
    });
  });

  it("refuses, naming the key: a listed method without settings, settings of an unlisted method, HMAC, unknown methods", () => {
    expect(refused("auth:\n  methods: [keys, jwt]\n")).toBe(
      "config: auth.jwt: required when auth.methods lists jwt",
    );
    expect(refused("auth:\n  introspection:\n    url: https://x.example/me\n")).toBe(
      "config: auth.methods: lists no introspection, but auth.introspection is set",
    );
    expect(
      refused("auth:\n  methods: [jwt]\n  jwt:\n    issuer: i\n    audience: a\n    algorithms: [HS256]\n"),
    ).toMatch(/^config: auth\.jwt\.algorithms\[0\]: must be an asymmetric JWS algorithm/);
    expect(refused("auth:\n  methods: [keys, passwords]\n")).toMatch(
      /^config: auth\.methods\[1\]: must be "keys"/,
    );
    expect(refused("auth:\n  methods: [keys, keys]\n")).toMatch(
      /^config: auth\.methods: must not name a method twice/,
    );
    expect(refused("auth:\n  methods: [jwt]\n  jwt:\n    issuer: i\n")).toMatch(
      /^config: auth\.jwt\.audience: /,
    );
  });
});

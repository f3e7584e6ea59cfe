import { describe, expect, it } from "vitest";
import { detectOpenAIClient } from "./client.ts";

const detect = (headers: Record<string, string>) => detectOpenAIClient(new Headers(headers));

describe("OpenAI client detection", () => {
  it("recognises Codex by user agent or originator, with its session header", () => {
    expect(
      detect({ "user-agent": "codex_exec/0.171.0 (Debian 12.0.0; x86_64)", "session-id": "s1" }),
    ).toEqual({ client: "codex", sessionId: "s1" });
    expect(detect({ "user-agent": "reqwest/0.12", originator: "codex_cli_rs", session_id: "s2" })).toEqual({
      client: "codex",
      sessionId: "s2",
    });
  });

  it("recognises the official SDKs by user agent or Stainless headers", () => {
    expect(detect({ "user-agent": "OpenAI/JS 7.59.0" })).toEqual({ client: "openai-sdk", sessionId: null });
    expect(detect({ "user-agent": "python-httpx/0.28", "x-stainless-lang": "python" })).toEqual({
      client: "openai-sdk",
      sessionId: null,
    });
  });

  it("calls everything else other", () => {
    expect(detect({ "user-agent": "curl/8.5.0" })).toEqual({ client: "other", sessionId: null });
    expect(detect({})).toEqual({ client: "other", sessionId: null });
  });
});

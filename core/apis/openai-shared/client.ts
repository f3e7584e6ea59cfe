import type { ClientInfo } from "../api-definition.ts";

/**
 * Who is calling, from request headers. Codex names itself in `user-agent` (`codex_exec/…`,
 * `codex_cli_rs/…`) and in `originator`; the official SDKs (Stainless-generated) send
 * `User-Agent: OpenAI/JS x.y` and `x-stainless-*` headers. Codex's conversation id travels in a
 * `session_id` header (`session-id` in newer versions).
 */
export function detectOpenAIClient(headers: Headers): ClientInfo {
  const agent = headers.get("user-agent") ?? "";
  const originator = headers.get("originator") ?? "";
  let client = "other";
  if (agent.toLowerCase().startsWith("codex") || originator.toLowerCase().startsWith("codex"))
    client = "codex";
  else if (agent.startsWith("OpenAI/") || hasStainlessHeader(headers)) client = "openai-sdk";
  const sessionId = headers.get("session_id") ?? headers.get("session-id");
  return { client, sessionId: sessionId || null };
}

function hasStainlessHeader(headers: Headers): boolean {
  for (const name of headers.keys()) if (name.startsWith("x-stainless-")) return true;
  return false;
}

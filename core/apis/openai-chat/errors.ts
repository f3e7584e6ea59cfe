import { encodeSse, encodeSseComment } from "../../sse/encoder.ts";

/**
 * The in-band error for a chat stream that broke after it started: the `data: {"error": …}`
 * object OpenAI itself sends, which the official SDKs raise as an APIError.
 */
export function chatStreamError(message: string): string {
  return encodeSse({
    data: JSON.stringify({ error: { message, type: "server_error", param: null, code: null } }),
  });
}

/** Chat streams have no ping event; an SSE comment is ignored by every conforming client. */
export const chatKeepAlive = encodeSseComment("keep-alive");

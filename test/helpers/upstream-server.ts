import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CapturedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A chunk written after a pause (ms), or once a gate (a promise the test resolves) opens. */
export type PausedChunk =
  | { readonly delayMs: number; readonly data: string }
  | { readonly until: Promise<unknown>; readonly data: string };

const pause = (chunk: PausedChunk): Promise<unknown> =>
  "until" in chunk ? chunk.until : new Promise((resolve) => setTimeout(resolve, chunk.delayMs));

/** What the fake provider does with one request: a full response, or a scripted stream. */
export type UpstreamScript =
  | { readonly status?: number; readonly headers?: Record<string, string>; readonly body: string }
  | {
      readonly status?: number;
      readonly headers?: Record<string, string>;
      /** Chunks written one by one, with an optional pause (ms) or gate (a promise) before each. */
      readonly chunks: readonly (string | PausedChunk)[];
      /** Leave the response open after the chunks (stall), or destroy the socket (reset). */
      readonly end?: "close" | "stall" | "reset";
    };

/**
 * A real HTTP server on 127.0.0.1 standing in for a provider: it answers each request with the
 * script the test chose (by path, or in order) and records every request it got, so tests can
 * assert what reached the upstream and what never did.
 */
export async function startUpstream(script: (request: CapturedRequest) => UpstreamScript) {
  const requests: CapturedRequest[] = [];
  const aborted: string[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (chunk: Buffer) => parts.push(chunk));
    req.on("end", async () => {
      const captured = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(parts).toString("utf8"),
      };
      requests.push(captured);
      res.on("close", () => {
        if (!res.writableFinished) aborted.push(captured.url);
      });
      const answer = script(captured);
      const headers = {
        "content-type": "chunks" in answer ? "text/event-stream" : "application/json",
        ...answer.headers,
      };
      res.writeHead(answer.status ?? 200, headers);
      if (!("chunks" in answer)) return res.end(answer.body);
      res.flushHeaders();
      for (const chunk of answer.chunks) {
        if (typeof chunk !== "string") await pause(chunk);
        if (res.destroyed) return;
        res.write(typeof chunk === "string" ? chunk : chunk.data);
      }
      if (answer.end === "stall") return;
      if (answer.end === "reset") return void res.socket?.destroy();
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** URLs of requests whose response the bridge abandoned before it ended (client aborts). */
    aborted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

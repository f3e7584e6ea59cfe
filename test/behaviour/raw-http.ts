import { connect, type Socket } from "node:net";

/** What came back on one raw connection. */
export interface RawExchange {
  /** Every byte the server sent, as text. */
  readonly text: string;
  /** The status of each response (HTTP/1.1, or 1.0 for a 1.0 request), in order. */
  readonly statuses: readonly number[];
  /** When the server closed the connection (ms after connecting), or null if the client did. */
  readonly closedByServerMs: number | null;
  /** When the first byte of an answer came (ms after connecting), or null if none did. */
  readonly firstByteMs: number | null;
}

/**
 * One raw HTTP/1.1 connection to `url`: `send` writes what it likes (several requests in one
 * write, a body in slow pieces); the client ends its side after `holdMs` unless the server
 * closed first. For what fetch cannot do: pipelining, trickled bodies, stalls.
 */
export function rawExchange(
  url: string,
  send: (socket: Socket) => void,
  holdMs: number,
): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    let text = "";
    let clientEnded = false;
    let firstByteMs: number | null = null;
    const socket = connect(Number(port), hostname, () => send(socket));
    // Latin-1: arbitrary bytes come back one character each, never as replacement characters.
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      firstByteMs ??= Date.now() - started;
      text += chunk;
    });
    socket.on("error", () => {});
    const timer = setTimeout(() => {
      clientEnded = true;
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    }, holdMs);
    socket.on("close", () => {
      clearTimeout(timer);
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
      resolve({ text, statuses, closedByServerMs: clientEnded ? null : Date.now() - started, firstByteMs });
    });
  });
}

/** A raw POST head for `path` with the given headers (a body follows separately). */
export function postHead(path: string, headers: Record<string, string>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.join("")}\r\n`;
}

/**
 * Standalone reproduction: Bun.serve and HTTP/1.1 pipelining (docs/runtimes.md, "Pipelining").
 *
 *   node_modules/.bin/bun bench/repro/bun-pipelining.ts
 *
 * Sends two complete requests in one write to three bare Bun.serve servers. On Bun 1.4.5 the
 * async handler gets no response at all and the connection is closed at once, while both
 * handler calls that started still ran; Node's and Deno's servers answer both in order.
 */
import { connect } from "node:net";

const handlers: Record<string, (request: Request) => Response | Promise<Response>> = {
  // Answers before the parser reaches the next request: both answered.
  sync: (request) => new Response(`ok ${new URL(request.url).pathname}`),
  // Completes in microtasks only (like a body already in memory): both answered.
  microtask: async (request) =>
    new Response(`ok ${new URL(request.url).pathname} ${(await request.text()).length}`),
  // Still pending when the next request is parsed (a timer, any real I/O): nothing answered.
  async: async (request) => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    return new Response(`ok ${new URL(request.url).pathname}`);
  },
};

function pipelined(port: number): Promise<string> {
  const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
  return new Promise((resolve) => {
    const started = Date.now();
    let received = "";
    const socket = connect(port, "127.0.0.1", () => socket.write(request("/a") + request("/b")));
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("error", () => {});
    const timer = setTimeout(() => socket.end(), 1_000);
    socket.on("close", () => {
      clearTimeout(timer);
      const statuses = received.match(/HTTP\/1\.1 \d{3}/g) ?? [];
      const closedBy = Date.now() - started < 1_000 ? "server" : "client";
      resolve(`${statuses.length} responses (${received.length} bytes), closed by the ${closedBy}`);
    });
  });
}

console.log(`Bun ${Bun.version}`);
for (const [name, handler] of Object.entries(handlers)) {
  let calls = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => {
      calls++;
      return handler(request);
    },
  });
  const result = await pipelined(server.port!);
  console.log(`${name.padEnd(9)} handler: ${result}; handler calls: ${calls}`);
  await server.stop(true);
}

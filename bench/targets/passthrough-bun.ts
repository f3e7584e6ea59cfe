/**
 * The floor: the thinnest reverse proxy on the same runtime as Causeway (Bun.serve + Bun fetch),
 * with no auth, no parsing and no audit. Whatever Causeway adds beyond this is Causeway's own cost.
 * Usage: BENCH_UPSTREAM=http://127.0.0.1:PORT bun bench/targets/passthrough-bun.ts
 */
const upstream = process.env.BENCH_UPSTREAM;
if (!upstream) throw new Error("BENCH_UPSTREAM is required");

const DROP = ["host", "connection", "content-length", "accept-encoding"];

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  idleTimeout: 0,
  async fetch(request) {
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    for (const name of DROP) headers.delete(name);
    const response = await fetch(upstream + url.pathname + url.search, {
      method: request.method,
      headers,
      body: request.method === "GET" || request.method === "HEAD" ? null : await request.arrayBuffer(),
      signal: request.signal,
      timeout: false,
    });
    const out = new Headers(response.headers);
    out.delete("content-encoding");
    out.delete("content-length");
    out.delete("transfer-encoding");
    return new Response(response.body, { status: response.status, headers: out });
  },
});
process.stdout.write(`${JSON.stringify({ listening: `http://127.0.0.1:${server.port}` })}\n`);

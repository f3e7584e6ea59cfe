/**
 * The handler of `CAUSEWAY_METRICS_LISTEN`: `GET /metrics` without auth, for a Prometheus on the
 * operator's network (bind it where only that can reach it). Nothing else is served there.
 */
export function metricsListener(render: () => Promise<Response>): (request: Request) => Promise<Response> {
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/metrics" && (request.method === "GET" || request.method === "HEAD")) {
      const page = await render();
      return request.method === "HEAD" ? new Response(null, { headers: page.headers }) : page;
    }
    return Response.json({ error: "not found; this listener serves GET /metrics" }, { status: 404 });
  };
}

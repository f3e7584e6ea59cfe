/**
 * @hono/node-server reports a response body stream that errors with console.error: a multi-line
 * stack on stderr. The core errors a client's stream on purpose when its upstream breaks
 * mid-event (the client must see a broken stream, not a clean end), and the audit already records
 * it. So the body is relayed through a stream that, when its source fails, destroys the
 * connection itself (the client sees the same broken response) and never errors: node-server
 * then sees the socket close, cancels the body, and prints nothing.
 */
export function quietBreak(response: Response, destroyConnection: () => void): Response {
  const source = response.body;
  if (!source) return response;
  const reader = source.getReader();
  let broken = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (broken) return;
      const chunk = await reader.read().catch(() => null);
      if (chunk === null) {
        // Not errored: node-server's cancel, once the socket has closed, ends this stream.
        broken = true;
        destroyConnection();
        return;
      }
      if (chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
    cancel(reason) {
      return reader.cancel(reason).catch(() => {});
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

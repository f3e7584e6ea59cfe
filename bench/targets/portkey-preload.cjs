// Preload for the Portkey gateway under test (node --require bench/targets/portkey-preload.cjs).
//
// 1. Loopback only: every net.Server.listen() in the process binds 127.0.0.1, whatever host (or
//    none) the program asked for. Portkey's start-server listens on all interfaces otherwise.
// 2. Streaming fix: Portkey 1.15.2 adds headers to the upstream's fetch Response, whose headers
//    are immutable; with @hono/node-server > 1.14.2 (what npm installs: 1.19.x) every streaming
//    request then fails with "TypeError: immutable" (Portkey-AI/gateway#1389, #1550). We hand
//    Portkey a fresh Response (same status, body stream and headers, mutable) from fetch, which
//    is what it gets with older @hono/node-server. Costs one object per request; no body copy.
const net = require("node:net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args[0] !== null && typeof args[0] === "object" && !Array.isArray(args[0])) {
    if (args[0].path == null) args[0] = { ...args[0], host: "127.0.0.1" };
  } else if (typeof args[0] === "number" || (typeof args[0] === "string" && /^\d+$/.test(args[0]))) {
    if (typeof args[1] === "string") args[1] = "127.0.0.1";
    else args.splice(1, 0, "127.0.0.1");
  } else if (args.length === 0 || typeof args[0] === "function") {
    args.unshift(0, "127.0.0.1");
  }
  return listen.apply(this, args);
};

const NativeResponse = globalThis.Response;
const nativeFetch = globalThis.fetch;
globalThis.fetch = async function fetchWithMutableHeaders(...args) {
  const response = await nativeFetch.apply(this, args);
  return new NativeResponse(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: new Headers(response.headers),
  });
};

/** A stand-in audit writer thread that dies on its first write: by an uncaught error, or by exiting. */
import type { AuditWriterRequest } from "../../adapters/store/audit-writer-protocol.ts";

declare const self: Worker;

let how = "";
self.onmessage = (event: MessageEvent<AuditWriterRequest>) => {
  const request = event.data;
  if (request.type === "open") {
    how = request.path;
    self.postMessage({ id: request.id, ok: true });
    return;
  }
  if (how === "exit") process.exit(3);
  throw new Error("writer crashed");
};

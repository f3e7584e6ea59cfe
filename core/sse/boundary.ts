/**
 * Tracks whether the bytes relayed so far end between two SSE events, so a keep-alive or an
 * in-band error is only ever inserted where it cannot split an event. `tail` holds the last
 * two line-break characters seen (or nothing after ordinary content).
 */
export function nextTail(tail: string, chunk: Uint8Array): string {
  let out = tail;
  for (let i = Math.max(0, chunk.length - 4); i < chunk.length; i++) {
    const byte = chunk[i];
    if (byte === 0x0a) out = `${out}\n`.slice(-4);
    else if (byte === 0x0d) out = `${out}\r`.slice(-4);
    else out = "";
  }
  return out;
}

/** A blank line ends an event: LF LF, CR CR, or CRLF CRLF. */
export function atEventBoundary(tail: string): boolean {
  return tail === "" ? false : tail.endsWith("\n\n") || tail.endsWith("\r\r") || tail.endsWith("\r\n\r\n");
}

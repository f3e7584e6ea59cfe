/** Identifier source as a port, so tests get predictable ids. */
export interface Ids {
  /** A new interception id; also the request id returned to the client. */
  interceptionId(): string;
}

export class SequentialIds implements Ids {
  #next = 1;
  readonly #prefix: string;
  constructor(prefix = "int_") {
    this.#prefix = prefix;
  }
  interceptionId(): string {
    return `${this.#prefix}${String(this.#next++).padStart(6, "0")}`;
  }
}

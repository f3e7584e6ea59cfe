/** The network as a port: a fetch function. Conformance swaps it for a fixture replayer. */
export type Upstream = (request: Request) => Promise<Response>;

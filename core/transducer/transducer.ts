/**
 * A transducer is a pure state machine over a stream: `step` consumes one input and returns the
 * next state plus zero or more outputs; `flush` runs once at the end of input.
 * Provider logic lives in transducers; the pipeline (core/pipeline/) feeds them one input at a time.
 */
export interface Transducer<State, Input, Output> {
  init(): State;
  step(state: State, input: Input): readonly [State, readonly Output[]];
  flush(state: State): readonly Output[];
}

/** Runs a transducer over an array: the way transducers are tested, with no streams involved. */
export function runTransducer<S, I, O>(transducer: Transducer<S, I, O>, inputs: Iterable<I>): O[] {
  let state = transducer.init();
  const outputs: O[] = [];
  for (const input of inputs) {
    const [next, out] = transducer.step(state, input);
    state = next;
    outputs.push(...out);
  }
  outputs.push(...transducer.flush(state));
  return outputs;
}

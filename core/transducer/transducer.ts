/**
 * The one shape of every state machine over a stream in the core: stream observers (audit facts),
 * rewrites (what the client sees of a stream the bridge changed) and the tool loop's splicers.
 * A transducer is made fresh for one stream and owns its state: `step` consumes one input and
 * returns zero or more outputs; `flush` runs once at the end of input and returns what is left
 * (or, for a splicer, how the turn ended). Being per-stream objects, they need no state threading
 * and no casts where an API hands one to the pipeline; being free of I/O and timers, they are
 * tested over plain arrays with `runTransducer`.
 */
export interface Transducer<Input, Output, End = readonly Output[]> {
  step(input: Input): readonly Output[];
  flush(): End;
}

/** Runs a fresh transducer over an array: the way transducers are tested, with no streams involved. */
export function runTransducer<I, O>(transducer: Transducer<I, O>, inputs: Iterable<I>): O[] {
  const outputs: O[] = [];
  for (const input of inputs) outputs.push(...transducer.step(input));
  outputs.push(...transducer.flush());
  return outputs;
}

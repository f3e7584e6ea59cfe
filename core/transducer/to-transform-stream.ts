import type { Transducer } from "./transducer.ts";

/** Lifts a pure transducer into a TransformStream: the one place where transducers meet streams. */
export function toTransformStream<S, I, O>(transducer: Transducer<S, I, O>): TransformStream<I, O> {
  let state = transducer.init();
  return new TransformStream<I, O>({
    transform(input, controller) {
      const [next, outputs] = transducer.step(state, input);
      state = next;
      for (const output of outputs) controller.enqueue(output);
    },
    flush(controller) {
      for (const output of transducer.flush(state)) controller.enqueue(output);
    },
  });
}

import type {
  AuthEvent,
  InterceptionObserver,
  Observer,
  PassthroughEvent,
  UpstreamCallObserver,
} from "../../core/ports/observer.ts";

/**
 * Two observers as one (metrics and traces). The first that has a traceparent for an upstream
 * call gives it: only the tracing side makes one.
 */
export function fanOut(first: Observer, second: Observer): Observer {
  return {
    interception(start, traceparent): InterceptionObserver {
      const a = first.interception(start, traceparent);
      const b = second.interception(start, traceparent);
      return {
        upstreamCall(turn): UpstreamCallObserver {
          const x = a.upstreamCall(turn);
          const y = b.upstreamCall(turn);
          return {
            traceparent: x.traceparent ?? y.traceparent,
            responded(status, ms) {
              x.responded(status, ms);
              y.responded(status, ms);
            },
            end(outcome) {
              x.end(outcome);
              y.end(outcome);
            },
          };
        },
        toolCall(call) {
          a.toolCall(call);
          b.toolCall(call);
        },
        end(summary) {
          a.end(summary);
          b.end(summary);
        },
      };
    },
    passthrough(event: PassthroughEvent) {
      first.passthrough(event);
      second.passthrough(event);
    },
    authentication(event: AuthEvent) {
      first.authentication(event);
      second.authentication(event);
    },
  };
}

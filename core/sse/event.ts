/** One server-sent event as parsed from the wire. `event` is absent for unnamed events. */
export interface SseEvent {
  readonly event?: string | undefined;
  readonly data: string;
  readonly id?: string | undefined;
}

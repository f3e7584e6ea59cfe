import { describe, expect, it } from "vitest";
import { ManualClock } from "../ports/clock.ts";
import { SilenceWatch } from "./silence-watch.ts";

/** A watch with pings every 10 ms and the idle timeout at 35 ms, recording when each fired. */
function watched(pingMs: number | null = 10, idleMs = 35) {
  const clock = new ManualClock(0);
  const log: string[] = [];
  const timers: number[] = [];
  const counting = {
    now: () => clock.now(),
    setTimer(ms: number, callback: () => void) {
      timers.push(ms);
      return clock.setTimer(ms, callback);
    },
  };
  const watch = new SilenceWatch(
    counting,
    pingMs,
    idleMs,
    () => log.push(`ping@${clock.now()}`),
    () => log.push(`idle@${clock.now()}`),
  );
  return { clock, log, timers, watch };
}

describe("SilenceWatch", () => {
  it("pings every interval of silence during a read, then times out once, at the idle limit", () => {
    const { clock, log, watch } = watched();
    watch.reading();
    clock.advance(100);
    expect(log).toEqual(["ping@10", "ping@20", "ping@30", "idle@35"]);
  });

  it("counts silence from the latest read: chunks every 6 ms never ping or time out", () => {
    const { clock, log, watch } = watched();
    for (let i = 0; i < 20; i++) {
      watch.reading();
      clock.advance(6);
      watch.pause();
    }
    expect(log).toEqual([]);
    watch.reading();
    clock.advance(10);
    expect(log).toEqual(["ping@130"]);
  });

  it("arms one timer per ping interval, not one per chunk", () => {
    const { clock, timers, watch } = watched();
    for (let i = 0; i < 100; i++) {
      watch.reading();
      clock.advance(1);
      watch.pause();
    }
    // 100 reads over 100 ms: the timer re-arms about once per 10 ms interval.
    expect(timers.length).toBeLessThanOrEqual(12);
  });

  it("does not count while paused: a slow client is not a silent upstream", () => {
    const { clock, log, watch } = watched();
    watch.reading();
    clock.advance(5);
    watch.pause();
    clock.advance(1000);
    expect(log).toEqual([]);
    watch.reading();
    clock.advance(10);
    expect(log).toEqual(["ping@1015"]);
  });

  it("while waiting (between turns) pings on but never times out", () => {
    const { clock, log, watch } = watched();
    watch.waiting();
    clock.advance(50);
    expect(log).toEqual(["ping@10", "ping@20", "ping@30", "ping@40", "ping@50"]);
  });

  it("without pings only times out, exactly at the limit after the last read", () => {
    const { clock, log, watch } = watched(null, 35);
    watch.reading();
    clock.advance(20);
    watch.pause();
    watch.reading();
    clock.advance(34);
    expect(log).toEqual([]);
    clock.advance(1);
    expect(log).toEqual(["idle@55"]);
  });

  it("is silent after stop", () => {
    const { clock, log, watch } = watched();
    watch.reading();
    watch.stop();
    clock.advance(100);
    expect(log).toEqual([]);
  });
});

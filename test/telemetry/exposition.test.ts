import * as prom from "prom-client";
import { describe, expect, it } from "vitest";
import { Counter, Gauge, Histogram, Registry } from "../../adapters/telemetry/exposition.ts";
import { parseMetrics } from "../helpers/prometheus-text.ts";

/**
 * Our exposition against prom-client, the reference implementation it replaced on the hot path
 * (kept as a dev dependency for this): the same updates must scrape to the same series and values,
 * and the same HELP and TYPE lines.
 */
describe("the exposition format", () => {
  const awkward = 'quote " backslash \\ newline \n end';

  function drive(api: {
    counter: { inc(labels: Record<string, string>, by?: number): void };
    gauge: { inc(labels: Record<string, string>): void; dec(labels: Record<string, string>): void };
    plain: { set(value: number): void };
    histogram: { observe(labels: Record<string, string>, value: number): void };
  }): void {
    api.counter.inc({ a: "x", b: "y" });
    api.counter.inc({ a: "x", b: "y" }, 4);
    api.counter.inc({ a: awkward, b: "" }, 2.5);
    api.gauge.inc({ p: "one" });
    api.gauge.inc({ p: "one" });
    api.gauge.dec({ p: "one" });
    api.gauge.inc({ p: "two" });
    api.gauge.dec({ p: "two" });
    api.plain.set(Number.NaN);
    for (const value of [0.05, 0.1, 0.2, 2.5, 99, 1e9]) api.histogram.observe({ s: "ok" }, value);
    api.histogram.observe({ s: "error" }, 0.3);
  }

  const definitions = {
    counter: { name: "t_total", help: "A counter\\with a backslash", labelNames: ["a", "b"] },
    gauge: { name: "t_inflight", help: "A gauge", labelNames: ["p"] },
    plain: { name: "t_depth", help: "Unlabelled" },
    histogram: { name: "t_seconds", help: "A histogram", labelNames: ["s"], buckets: [0.1, 0.25, 2.5, 100] },
    idle: { name: "t_never_total", help: "Declared, never updated", labelNames: ["z"] },
  } as const;

  async function ours(): Promise<string> {
    const registry = new Registry();
    const registers = [registry];
    drive({
      counter: new Counter({ ...definitions.counter, registers }),
      gauge: new Gauge({ ...definitions.gauge, registers }),
      plain: new Gauge({ ...definitions.plain, registers }),
      histogram: new Histogram({ ...definitions.histogram, registers }),
    });
    new Counter({ ...definitions.idle, registers });
    return registry.metrics();
  }

  async function reference(): Promise<string> {
    const registry = new prom.Registry();
    const registers = [registry];
    const mutable = (d: { name: string; help: string; labelNames?: readonly string[] }) => ({
      name: d.name,
      help: d.help,
      labelNames: [...(d.labelNames ?? [])],
      registers,
    });
    drive({
      counter: new prom.Counter(mutable(definitions.counter)),
      gauge: new prom.Gauge(mutable(definitions.gauge)),
      plain: new prom.Gauge(mutable(definitions.plain)),
      histogram: new prom.Histogram({
        ...mutable(definitions.histogram),
        buckets: [...definitions.histogram.buckets],
      }),
    });
    new prom.Counter(mutable(definitions.idle));
    return registry.metrics();
  }

  it("scrapes to the same series and values as prom-client", async () => {
    const [mine, theirs] = [parseMetrics(await ours()), parseMetrics(await reference())];
    expect(mine.size).toBeGreaterThan(10);
    expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [key, value] of theirs) expect(mine.get(key), key).toEqual(value);
  });

  it("writes the same HELP and TYPE lines, in declaration order", async () => {
    const comments = (text: string) => text.split("\n").filter((line) => line.startsWith("#"));
    expect(comments(await ours())).toEqual(comments(await reference()));
  });

  it("names the text format's content type", () => {
    expect(new Registry().contentType).toBe(new prom.Registry().contentType);
  });
});

import { describe, expect, it } from "vitest";
import { Counter, Histogram, Registry } from "../../adapters/telemetry/exposition.ts";
import { parseMetrics, parseSamples, seriesKey, sum, value } from "./prometheus-text.ts";

describe("Prometheus text parser", () => {
  it("keys series by name and sorted labels, skipping comments and blank lines", () => {
    const text = [
      "# HELP requests_total Requests.",
      "# TYPE requests_total counter",
      'requests_total{status="200",method="GET"} 3',
      'requests_total{method="POST",status="500"} 1',
      "",
      "uptime_seconds 12.5",
      "# EOF",
    ].join("\n");
    const metrics = parseMetrics(text);
    expect([...metrics.keys()]).toEqual([
      'requests_total{method="GET",status="200"}',
      'requests_total{method="POST",status="500"}',
      "uptime_seconds",
    ]);
    expect(value(metrics, "requests_total", { status: "200", method: "GET" })).toBe(3);
    expect(value(metrics, "requests_total", { method: "POST", status: "500" })).toBe(1);
    expect(value(metrics, "uptime_seconds")).toBe(12.5);
    expect(value(metrics, "requests_total", { method: "GET" })).toBeUndefined();
  });

  it("unescapes label values and tolerates spaces, a trailing comma and a timestamp", () => {
    const [sample] = parseSamples('m { a = "x\\"y\\\\z\\nw" , b="{},=" , } 7 1700000000000');
    expect(sample).toEqual({ name: "m", labels: { a: 'x"y\\z\nw', b: "{},=" }, value: 7 });
    // The key escapes again, so it is unambiguous and matches what value() looks up.
    const metrics = parseMetrics('m{a="x\\"y\\\\z\\nw",b="{},="} 7');
    expect([...metrics.keys()]).toEqual(['m{a="x\\"y\\\\z\\nw",b="{},="}']);
    expect(value(metrics, "m", { b: "{},=", a: 'x"y\\z\nw' })).toBe(7);
  });

  it("reads special and exponent values", () => {
    const samples = parseSamples(
      ['a{le="+Inf"} +Inf', "b -Inf", "c NaN", "d 1.5e3", "e -2", "f .5", "g Inf", "h Nan"].join("\n"),
    );
    expect(samples.map((s) => s.value)).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
      1500,
      -2,
      0.5,
      Number.POSITIVE_INFINITY,
      Number.NaN,
    ]);
    expect(samples[0]?.labels).toEqual({ le: "+Inf" });
  });

  it("rejects malformed lines with the line number", () => {
    expect(() => parseSamples("ok 1\nbad{a=1} 2")).toThrow(/line 2/);
    expect(() => parseSamples('m{a="open} 1')).toThrow(/unterminated/);
    expect(() => parseSamples("m")).toThrow(/expected a value/);
    expect(() => parseSamples("m 0x10")).toThrow(/not a sample value/);
    expect(() => parseSamples("m 1 2 3")).toThrow(/expected a value/);
    expect(() => parseSamples('m{a="1",a="2"} 1')).toThrow(/repeated/);
    expect(() => parseSamples('m{a="\\t"} 1')).toThrow(/unknown escape/);
  });

  it("refuses a series written twice", () => {
    expect(() => parseMetrics('m{a="1",b="2"} 1\nm{b="2",a="1"} 2')).toThrow(/duplicate series/);
  });

  it("sums the samples of a name whose labels include the given ones", () => {
    const samples = parseSamples(
      ['r{p="a",s="200"} 3', 'r{p="a",s="500"} 2', 'r{p="b",s="200"} 5', 'other{p="a"} 100'].join("\n"),
    );
    expect(sum(samples, "r", { p: "a" })).toBe(5);
    expect(sum(samples, "r", { s: "200" })).toBe(8);
    expect(sum(samples, "r")).toBe(10);
    expect(sum(samples, "r", { p: "c" })).toBe(0);
  });

  it("builds keys without braces for unlabelled series", () => {
    expect(seriesKey("up")).toBe("up");
    expect(seriesKey("up", { z: "1", a: "2" })).toBe('up{a="2",z="1"}');
  });

  it("reads the exposition's output, histograms and awkward label values included", async () => {
    const registry = new Registry();
    const counter = new Counter({ name: "t_total", help: "h", labelNames: ["v"], registers: [registry] });
    const histogram = new Histogram({
      name: "t_seconds",
      help: "h",
      labelNames: ["v"],
      buckets: [1, 5],
      registers: [registry],
    });
    const awkward = 'quote " backslash \\ newline \n end';
    counter.inc({ v: awkward }, 2);
    histogram.observe({ v: "x" }, 0.5);
    histogram.observe({ v: "x" }, 3);
    histogram.observe({ v: "x" }, 9);

    const metrics = parseMetrics(await registry.metrics());
    expect(value(metrics, "t_total", { v: awkward })).toBe(2);
    expect(value(metrics, "t_seconds_bucket", { v: "x", le: "1" })).toBe(1);
    expect(value(metrics, "t_seconds_bucket", { v: "x", le: "5" })).toBe(2);
    expect(value(metrics, "t_seconds_bucket", { v: "x", le: "+Inf" })).toBe(3);
    expect(value(metrics, "t_seconds_count", { v: "x" })).toBe(3);
    expect(value(metrics, "t_seconds_sum", { v: "x" })).toBe(12.5);
  });
});

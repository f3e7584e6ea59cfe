import { afterEach, describe, expect, it, vi } from "vitest";
import { LineBuffer } from "./line-buffer.ts";

describe("LineBuffer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const setup = (maxBytes = 1024) => {
    vi.useFakeTimers();
    const writes: string[] = [];
    return { writes, buffer: new LineBuffer((text) => writes.push(text), { maxDelayMs: 20, maxBytes }) };
  };

  it("writes lines together once the window ends, in order", () => {
    const { writes, buffer } = setup();
    buffer.push("a\n");
    buffer.push("b\n");
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(19);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(writes).toEqual(["a\nb\n"]);
    vi.advanceTimersByTime(100);
    expect(writes).toEqual(["a\nb\n"]);
  });

  it("an urgent line goes out at once, after what was waiting", () => {
    const { writes, buffer } = setup();
    buffer.push("info\n");
    buffer.push("error\n", true);
    expect(writes).toEqual(["info\nerror\n"]);
    vi.advanceTimersByTime(100);
    expect(writes).toHaveLength(1);
  });

  it("writes as soon as maxBytes are waiting, and flush() writes the rest", () => {
    const { writes, buffer } = setup(8);
    buffer.push("1234\n");
    buffer.push("5678\n");
    expect(writes).toEqual(["1234\n5678\n"]);
    buffer.push("x\n");
    buffer.flush();
    expect(writes).toEqual(["1234\n5678\n", "x\n"]);
    buffer.flush();
    expect(writes).toHaveLength(2);
  });
});

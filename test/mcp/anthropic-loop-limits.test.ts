import { describe, expect, it } from "vitest";
import { MemoryToolProvider } from "../../core/ports/tool-provider.ts";
import { decodeSse } from "../../core/sse/decoder.ts";
import { bridgeHarness, sseResponse } from "../helpers/bridge-harness.ts";
import { streamTurn } from "./anthropic-script.ts";
import { BODY, CALL, ECHO, kinds, request, setup, text } from "./helpers/anthropic-loop-setup.ts";

describe("anthropic tool loop limits and failures (in-memory tools)", () => {
  it("times out a tool that never answers and tells the model (MCP-11)", async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const { h } = setup([{ calls: [CALL] }, { text: "It timed out." }], {
      stream: false,
      handler: () => {
        started();
        return new Promise(() => {}); // ignores its signal: the loop must not wait for it
      },
    });
    const pending = h.bridge.handle(request(BODY));
    await running;
    h.clock.advance(60_000);
    const message = await (await pending).json();
    expect(message.content).toEqual([{ type: "text", text: "It timed out." }]);
    const second = JSON.parse(await h.seen[1]!.text());
    expect(second.messages[2].content[0]).toMatchObject({
      is_error: true,
      content: [{ text: "The tool did not answer within 60000 ms." }],
    });
    await h.recorder.flush();
    expect(kinds(h.recorder.entries, "tool-usage")[0]).toMatchObject({
      error: "timed out after 60000 ms",
      durationMs: 60_000,
    });
  });

  it("caps large tool results and passes images as image blocks (MCP-12)", async () => {
    const { h } = setup([{ calls: [CALL] }, { text: "ok" }], {
      stream: true,
      handler: async () => ({
        content: [
          { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
          { type: "text", text: "x".repeat(2 * 1024 * 1024) },
          { type: "other", description: "audio content (audio/wav) not shown" },
        ],
        isError: false,
      }),
    });
    await (await h.bridge.handle(request({ ...BODY, stream: true }))).text();
    const sent = await h.seen[1]!.text();
    expect(sent.length).toBeLessThan(1024 * 1024 + 4096);
    const result = JSON.parse(sent).messages[2].content[0].content;
    expect(result[0]).toEqual({
      type: "image",
      source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" },
    });
    expect(result[1].text.length).toBe(1024 * 1024 - "iVBORw0KGgo=".length);
    expect(result.at(-1).text).toContain("truncated at 1048576 bytes");
  });

  it("relays an upstream error before the stream as is, and reports a failing later turn in-band", async () => {
    const tools = new MemoryToolProvider([ECHO], async () => text("Echo: hi"));
    const error = '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}';
    const first = bridgeHarness(
      async () =>
        new Response(error, {
          status: 429,
          headers: { "content-type": "application/json", "retry-after": "7" },
        }),
      {},
      { tools },
    );
    const refused = await first.bridge.handle(request({ ...BODY, stream: true }));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("7");
    expect(await refused.text()).toBe(error);

    let n = 0;
    const second = bridgeHarness(
      async () =>
        n++ === 0
          ? sseResponse(streamTurn({ text: "Working.", calls: [CALL] }))
          : new Response(error, { status: 529 }),
      {},
      { tools },
    );
    const response = await second.bridge.handle(request({ ...BODY, stream: true }));
    const got = decodeSse(await response.text());
    expect(got.at(-1)).toMatchObject({ event: "error" });
    expect(got.filter((e) => e.event === "message_stop")).toHaveLength(0);
    await second.recorder.flush();
    expect(kinds(second.recorder.entries, "interception-end")).toEqual([
      expect.objectContaining({
        status: "upstream_error",
        httpStatus: 200,
        detail: expect.stringContaining("529"),
      }),
    ]);
  });

  it("relaxes a tool_choice that forces some tool to auto after a round, keeping its options", async () => {
    const { h } = setup([{ calls: [CALL] }, { text: "done" }], { stream: false });
    await (
      await h.bridge.handle(
        request({ ...BODY, tool_choice: { type: "any", disable_parallel_tool_use: true } }),
      )
    ).json();
    expect(JSON.parse(await h.seen[0]!.text()).tool_choice).toEqual({
      type: "any",
      disable_parallel_tool_use: true,
    });
    expect(JSON.parse(await h.seen[1]!.text()).tool_choice).toEqual({
      type: "auto",
      disable_parallel_tool_use: true,
    });
  });
});

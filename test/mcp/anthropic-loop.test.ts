import { describe, expect, it } from "vitest";
import { MemoryToolProvider } from "../../core/ports/tool-provider.ts";
import { bridgeHarness, sseResponse } from "../helpers/bridge-harness.ts";
import { streamTurn } from "./anthropic-script.ts";
import { BODY, CALL, events, kinds, request, setup, text } from "./helpers/anthropic-loop-setup.ts";

describe("anthropic tool loop (in-memory tools)", () => {
  it("streams one coherent message across turns and hides the injected call", async () => {
    const { h, calls } = setup(
      [
        { id: "msg_A", text: "Let me check.", calls: [CALL], input: 10, output: 7, cacheRead: 2 },
        { id: "msg_B", text: "Echo said hi.", input: 30, output: 4, cacheRead: 2 },
      ],
      { stream: true },
    );
    const response = await h.bridge.handle(request({ ...BODY, stream: true }));
    expect(response.status).toBe(200);
    const got = await events(response);
    expect(got.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const data = got.map((e) => JSON.parse(e.data));
    expect(data[0].message.id).toBe("msg_A");
    expect(data.filter((d) => d.type === "content_block_start").map((d) => d.index)).toEqual([0, 1]);
    expect(data[5].delta.text).toBe("Echo said hi.");
    expect(data[7].usage).toMatchObject({ input_tokens: 40, output_tokens: 11, cache_read_input_tokens: 4 });
    expect(data[7].delta.stop_reason).toBe("end_turn");
    expect(JSON.stringify(data)).not.toContain("cw__srv__echo");

    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: "srv/echo", args: { message: "hi" } });
    const second = JSON.parse(await h.seen[1]!.text());
    expect(second.messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me check." },
          { type: "tool_use", id: "toolu_1", name: "cw__srv__echo", input: { message: "hi" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "Echo: hi" }] },
        ],
      },
    ]);
    expect(h.seen[1]!.headers.get("anthropic-version")).toBe("2023-06-01");

    await h.recorder.flush();
    const entries = h.recorder.entries;
    expect(kinds(entries, "tool-usage")).toEqual([
      expect.objectContaining({
        name: "echo",
        server: "srv",
        injected: true,
        callId: "toolu_1",
        args: '{"message":"hi"}',
        error: null,
      }),
    ]);
    expect(kinds(entries, "token-usage").map((e) => (e.kind === "token-usage" ? e.tokens : null))).toEqual([
      { input: 10, output: 7, cacheRead: 2, cacheWrite: 0, reasoning: 0 },
      { input: 30, output: 4, cacheRead: 2, cacheWrite: 0, reasoning: 0 },
    ]);
    expect(kinds(entries, "interception-end")).toEqual([
      expect.objectContaining({ status: "completed", httpStatus: 200 }),
    ]);
  });

  it("prepends injected tools and produces byte-identical upstream bodies for identical requests", async () => {
    const { h } = setup([{ text: "ok" }], { stream: true });
    const body = {
      ...BODY,
      stream: true,
      tools: [
        { name: "client_tool", input_schema: { type: "object" }, cache_control: { type: "ephemeral" } },
      ],
      metadata: { x: 1.5 },
    };
    await (await h.bridge.handle(request(body))).text();
    await (await h.bridge.handle(request(body))).text();
    const [a, b] = [await h.seen[0]!.text(), await h.seen[1]!.text()];
    expect(a).toBe(b);
    const sent = JSON.parse(a);
    expect(sent.tools.map((t: { name: string }) => t.name)).toEqual(["cw__srv__echo", "client_tool"]);
    expect(sent.tools[1]).toEqual(body.tools[0]);
    expect(sent.metadata).toEqual({ x: 1.5 });
    expect(a.endsWith(JSON.stringify(body).slice(JSON.stringify(body).indexOf('"tools":[') + 9))).toBe(true);
  });

  it("merges a blocking loop into one message with summed usage", async () => {
    const { h, calls } = setup(
      [
        { id: "msg_A", text: "Checking.", calls: [CALL], input: 10, output: 7 },
        { id: "msg_B", text: "Done.", input: 30, output: 4 },
      ],
      { stream: false },
    );
    const response = await h.bridge.handle(request(BODY));
    expect(response.status).toBe(200);
    const message = await response.json();
    expect(message).toMatchObject({
      id: "msg_A",
      content: [
        { type: "text", text: "Checking." },
        { type: "text", text: "Done." },
      ],
      stop_reason: "end_turn",
      usage: { input_tokens: 40, output_tokens: 11 },
    });
    expect(calls).toHaveLength(1);
    expect(h.seen).toHaveLength(2);
  });

  it("returns a mixed turn to the client without running the injected call", async () => {
    const clientCall = { id: "toolu_c", name: "client_tool", input: { q: 1 } };
    const { h, calls } = setup([{ text: "Both.", calls: [CALL, clientCall] }], { stream: true });
    const response = await h.bridge.handle(
      request({ ...BODY, stream: true, tools: [{ name: "client_tool", input_schema: { type: "object" } }] }),
    );
    const data = (await events(response)).map((e) => JSON.parse(e.data));
    const starts = data.filter((d) => d.type === "content_block_start");
    expect(starts.map((d) => [d.index, d.content_block.type, d.content_block.name])).toEqual([
      [0, "text", undefined],
      [1, "tool_use", "client_tool"],
    ]);
    expect(
      data
        .filter((d) => d.type === "content_block_delta" && d.index === 1)
        .map((d) => d.delta.partial_json)
        .join(""),
    ).toBe('{"q":1}');
    expect(data.find((d) => d.type === "message_delta").delta.stop_reason).toBe("tool_use");
    expect(calls).toHaveLength(0);
    expect(h.seen).toHaveLength(1);
    await h.recorder.flush();
    expect(kinds(h.recorder.entries, "tool-usage")).toEqual([
      expect.objectContaining({ name: "client_tool", injected: false }),
      expect.objectContaining({
        name: "echo",
        injected: true,
        error: expect.stringContaining("client tools"),
      }),
    ]);
  });

  it("runs only tools it injected into this request (MCP-01)", async () => {
    // The client declares a tool with the injected name: the client's wins, nothing is injected.
    const spoof = { id: "toolu_s", name: "cw__srv__echo", input: { message: "x" } };
    const { h, calls } = setup([{ calls: [spoof] }], { stream: false });
    const response = await h.bridge.handle(
      request({ ...BODY, tools: [{ name: "cw__srv__echo", input_schema: { type: "object" } }] }),
    );
    const message = await response.json();
    expect(message.content).toEqual([
      { type: "tool_use", id: "toolu_s", name: "cw__srv__echo", input: { message: "x" } },
    ]);
    expect(calls).toHaveLength(0);
    expect(JSON.parse(await h.seen[0]!.text()).tools).toHaveLength(1);
  });

  it("stops cleanly after the round cap with an explanation", async () => {
    const { h, calls } = setup([{ calls: [CALL] }], { stream: true, maxRounds: 2 });
    const response = await h.bridge.handle(request({ ...BODY, stream: true }));
    const data = (await events(response)).map((e) => JSON.parse(e.data));
    expect(calls).toHaveLength(2);
    expect(h.seen).toHaveLength(3);
    expect(data.filter((d) => d.type === "message_start")).toHaveLength(1);
    expect(data.filter((d) => d.type === "message_stop")).toHaveLength(1);
    const note = data.find((d) => d.type === "content_block_delta");
    expect(note.delta.text).toContain("more than 2 rounds");
    expect(note.index).toBe(0);
    expect(data.find((d) => d.type === "message_delta")).toMatchObject({
      delta: { stop_reason: "end_turn" },
      usage: { input_tokens: 30, output_tokens: 15 },
    });
  });

  it("sends tool errors back to the model as error results and audits them", async () => {
    const { h } = setup([{ calls: [CALL] }, { text: "It failed." }], {
      stream: false,
      handler: async () => ({ content: [{ type: "text", text: "boom" }], isError: true }),
    });
    await (await h.bridge.handle(request(BODY))).json();
    const second = JSON.parse(await h.seen[1]!.text());
    expect(second.messages[2].content[0]).toMatchObject({
      type: "tool_result",
      is_error: true,
      content: [{ type: "text", text: "boom" }],
    });
    await h.recorder.flush();
    expect(kinds(h.recorder.entries, "tool-usage")[0]).toMatchObject({ injected: true, error: "boom" });
  });

  it("pings while tools run and cancels them when the client disconnects (CLI-04)", async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const { h, calls } = setup([{ text: "Working.", calls: [CALL] }, { text: "never" }], {
      stream: true,
      handler: (_s, _n, _a, signal) => {
        started();
        return new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(new Error("aborted"))),
        );
      },
    });
    const response = await h.bridge.handle(request({ ...BODY, stream: true }));
    const reader = response.body!.getReader();
    let seen = "";
    const dec = new TextDecoder();
    const pump = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        seen += dec.decode(value);
      }
    })();
    await running;
    await new Promise((r) => setTimeout(r, 10));
    const pingsBefore = seen.split("event: ping").length;
    h.clock.advance(10_000);
    await new Promise((r) => setTimeout(r, 10));
    expect(seen.split("event: ping").length).toBe(pingsBefore + 1);
    await reader.cancel();
    await pump;
    await new Promise((r) => setTimeout(r, 10));
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(h.seen).toHaveLength(1);
    await h.recorder.flush();
    expect(kinds(h.recorder.entries, "tool-usage")[0]).toMatchObject({
      injected: true,
      error: expect.stringContaining("cancelled"),
    });
    expect(kinds(h.recorder.entries, "interception-end")).toEqual([
      expect.objectContaining({ status: "client_cancelled" }),
    ]);
  });

  it("keeps the byte relay when no tools are offered", async () => {
    const tools = new MemoryToolProvider([], async () => text(""));
    const stream = streamTurn({ text: "plain" });
    const h = bridgeHarness(async () => sseResponse(stream), {}, { tools });
    const response = await h.bridge.handle(request({ ...BODY, stream: true }));
    expect(await response.text()).toBe(stream);
    expect(await h.seen[0]!.text()).toBe(JSON.stringify({ ...BODY, stream: true }));
  });
});

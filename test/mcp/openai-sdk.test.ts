import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { asRecorded } from "../../conformance/chunkings.ts";
import { replayUpstream } from "../../conformance/replay-upstream.ts";
import { openaiChat } from "../../core/apis/openai-chat/index.ts";
import { openaiChatToolLoop } from "../../core/apis/openai-chat/tool-loop.ts";
import { openaiResponses } from "../../core/apis/openai-responses/index.ts";
import { openaiResponsesToolLoop } from "../../core/apis/openai-responses/tool-loop.ts";
import { MemoryToolProvider } from "../../core/ports/tool-provider.ts";
import { loadMcpFixtures } from "./fixture-replay.ts";
import { apiHarness } from "./helpers/api-harness.ts";

/**
 * The official OpenAI SDK reading the spliced answers of the chat and responses tool loops (its
 * stream helpers accumulate the events into a final object, so a stream that is not coherent
 * fails here). The interception pipeline is reached through the SDK's `fetch` option, because
 * the router serves these APIs' tool loops only once their index.ts registers them.
 */
const fixtures = loadMcpFixtures();
const echo = new MemoryToolProvider(
  [
    {
      server: "everything",
      name: "echo",
      description: "Echoes",
      inputSchema: { type: "object", properties: { message: { type: "string" } } },
    },
  ],
  async () => ({ content: [{ type: "text", text: "Echo: hi" }], isError: false }),
);

function client(api: "openai-chat" | "openai-responses", mode: "streaming" | "non-streaming"): OpenAI {
  const fixture = fixtures.find((f) => f.id === `${api}/mcp-echo`)!;
  const { upstream } = replayUpstream(fixture.modes.find((m) => m.mode === mode)!.responses, asRecorded);
  const h =
    api === "openai-chat"
      ? apiHarness({ ...openaiChat, toolLoop: openaiChatToolLoop }, "/v1/chat/completions", echo, upstream)
      : apiHarness(
          { ...openaiResponses, toolLoop: openaiResponsesToolLoop },
          "/v1/responses",
          echo,
          upstream,
        );
  return new OpenAI({
    apiKey: "cw-key",
    baseURL: "http://bridge.test/openai/v1",
    maxRetries: 0,
    fetch: (input, init) => h.handle(new Request(input, init)),
  });
}

const messages = [{ role: "user" as const, content: "Echo hi, please." }];

describe("the OpenAI SDK over the tool loops", () => {
  it("chat.completions.stream accumulates one clean completion", async () => {
    const stream = client("openai-chat", "streaming").chat.completions.stream({
      model: "gpt-4.1-mini",
      messages,
    });
    const completion = await stream.finalChatCompletion();
    expect(completion.id).toBe("chatcmpl-McpEcho1");
    expect(completion.choices[0]!.message.content).toBe("Using the echo tool.\n\nThe tool said: Echo: hi");
    expect(completion.choices[0]!.message.tool_calls ?? []).toEqual([]);
    expect(completion.choices[0]!.finish_reason).toBe("stop");
  });

  it("chat.completions.create (blocking) returns the merged completion", async () => {
    const completion = await client("openai-chat", "non-streaming").chat.completions.create({
      model: "gpt-4.1-mini",
      messages,
    });
    expect(completion.choices[0]!.message.content).toBe("Using the echo tool.\n\nThe tool said: Echo: hi");
    expect(completion.usage).toMatchObject({ prompt_tokens: 280, completion_tokens: 26 });
  });

  it("responses.stream ends with one final response holding the visible output", async () => {
    const stream = client("openai-responses", "streaming").responses.stream({
      model: "gpt-5-mini",
      input: "Echo hi, please.",
    });
    const types: string[] = [];
    stream.on("event", (event) => types.push(event.type));
    const response = await stream.finalResponse();
    expect(response.id).toBe("resp_McpEcho1");
    expect(response.output_text).toBe("The tool said: Echo: hi");
    expect(response.output.map((item) => item.type)).toEqual(["message"]);
    expect(types.filter((t) => t === "response.created")).toHaveLength(1);
    expect(types.filter((t) => t === "response.completed")).toHaveLength(1);
  });

  it("responses.create (blocking) returns the merged response", async () => {
    const response = await client("openai-responses", "non-streaming").responses.create({
      model: "gpt-5-mini",
      input: "Echo hi, please.",
    });
    expect(response.output_text).toBe("The tool said: Echo: hi");
    expect(response.usage).toMatchObject({ input_tokens: 460, output_tokens: 29 });
  });
});

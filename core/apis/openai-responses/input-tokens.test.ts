import { describe, expect, it } from "vitest";
import {
  inputTokensBlockingFacts,
  inspectInputTokensRequest,
  openaiResponsesInputTokens,
} from "./input-tokens.ts";

describe("POST /v1/responses/input_tokens: request", () => {
  it("reads the model and prompt of a Responses-shaped body", () => {
    expect(
      inspectInputTokensRequest({
        model: "gpt-5",
        instructions: "be brief",
        input: [
          {
            type: "message",
            role: "user",
            content: [{ type: "input_text", text: "How many tokens is this?" }],
          },
        ],
        tools: [{ type: "function", name: "lookup", parameters: { type: "object" } }],
        conversation: { id: "conv_123" },
      }),
    ).toEqual({ model: "gpt-5", stream: false, prompts: ["How many tokens is this?"] });
    expect(inspectInputTokensRequest({ model: "o3", input: "Tell me a joke." })).toMatchObject({
      prompts: ["Tell me a joke."],
    });
  });

  it("accepts an empty body: every field of InputTokenCountParams is optional", () => {
    expect(inspectInputTokensRequest({})).toEqual({ model: "", stream: false, prompts: [] });
    expect(inspectInputTokensRequest({ model: null, input: null, previous_response_id: "resp_1" })).toEqual({
      model: "",
      stream: false,
      prompts: [],
    });
  });

  it("refuses a malformed model or input", () => {
    expect(inspectInputTokensRequest({ model: 4 })).toMatch(/^model:/);
    expect(inspectInputTokensRequest({ model: "" })).toMatch(/^model:/);
    expect(inspectInputTokensRequest({ input: 42 })).toMatch(/^input:/);
  });
});

describe("POST /v1/responses/input_tokens: response", () => {
  it("records completion and no usage: counting spends no tokens", () => {
    expect(inputTokensBlockingFacts({ object: "response.input_tokens", input_tokens: 11 })).toEqual([
      { kind: "completed" },
    ]);
  });

  it("takes nothing from a body that is not a token count", () => {
    expect(inputTokensBlockingFacts({ object: "response.input_tokens" })).toEqual([]);
    expect(inputTokensBlockingFacts({ input_tokens: 11 })).toEqual([]);
    expect(inputTokensBlockingFacts(null)).toEqual([]);
  });

  it("is audited under its own name, with no tool loop", () => {
    expect(openaiResponsesInputTokens.name).toBe("openai.responses.input_tokens");
    expect(openaiResponsesInputTokens.toolLoop).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { compareRecords } from "../../conformance/audit-summary.ts";
import { chunkingsFor } from "../../conformance/chunkings.ts";
import { loadMcpFixtures, replayMcp } from "./fixture-replay.ts";

/**
 * The MCP fixtures (fixtures/<api>/mcp-*.txtar, fixtures/README.md format plus a `tools`
 * section and `expect/client/non-streaming`), replayed through the interception pipeline with
 * the tools injected, under every conformance chunking: the spliced client answer and the audit
 * must not depend on where the upstream bytes were cut.
 */
const fixtures = loadMcpFixtures();
const decoder = new TextDecoder();

describe("MCP fixtures", () => {
  it("covers all three APIs", () => {
    expect(new Set(fixtures.map((f) => f.api))).toEqual(
      new Set(["anthropic-messages", "openai-chat", "openai-responses"]),
    );
  });

  for (const fixture of fixtures) {
    for (const mode of fixture.modes) {
      it(`${fixture.id} (${mode.mode})`, async () => {
        expect(mode.responses).toHaveLength(2);
        for (const chunking of chunkingsFor(mode.responses[0]!.body.length)) {
          const seen = await replayMcp(fixture, mode, chunking);
          const where = `${fixture.id} ${mode.mode} ${chunking.name}`;
          expect(seen.status, where).toBe(200);
          if (mode.mode === "streaming") expect(seen.body, where).toBe(decoder.decode(mode.expectClient));
          else expect(JSON.parse(seen.body), where).toEqual(fixture.blockingClient);
          expect(seen.body).not.toContain("cw__");
          expect(compareRecords(mode.expect.records ?? {}, seen.audit), where).toEqual([]);
          expect(seen.audit.starts === 1 && seen.audit.ends === 1, where).toBe(true);
          expect(seen.upstreamBodies, where).toHaveLength(2);
          expect(seen.upstreamBodies[0]).toContain("cw__everything__echo");
          expect(seen.upstreamBodies[1]).toContain("Echo: hi");
          expect(seen.toolArgs).toEqual([{ message: "hi" }]);
        }
      });
    }
  }
});

import {
  bytes,
  type ConformanceCase,
  type FixtureTool,
  type Mode,
  type ModeCase,
  type ReplayResponse,
  withStreamFlag,
} from "./case.ts";
import { parseResponseSection } from "./replay-upstream.ts";
import { parseTxtar, section, type Txtar } from "./txtar.ts";

const CONTENT_TYPE: Record<Mode, string> = {
  streaming: "text/event-stream",
  "non-streaming": "application/json",
};

/**
 * Turns one txtar fixture into a runnable case: a mode per response section present
 * (`streaming`, `non-streaming`), each with its expectations (`expect/client`, `expect/records`,
 * `expect/records/non-streaming`). A fixture with no request or no response is an error. A
 * `<mode>/tool-call` section needs a `tools` section (JSON array of FixtureTool) naming what the
 * bridge injects and what each tool returns.
 */
export function fixtureCase(id: string, api: string, text: string): ConformanceCase {
  const archive = parseTxtar(text);
  const request = section(archive, "request");
  if (request === undefined) throw new Error(`${id}: no "request" section`);
  const toolsText = section(archive, "tools");
  const tools = toolsText === undefined ? undefined : (JSON.parse(toolsText) as FixtureTool[]);
  const modes: ModeCase[] = [];
  for (const mode of ["streaming", "non-streaming"] as const) {
    const first = section(archive, mode);
    if (first === undefined) continue;
    const replay = modeCase(archive, mode, request, first);
    if (replay.responses.length > 1 && !tools)
      throw new Error(`${id}: "${mode}/tool-call" needs a "tools" section`);
    modes.push(tools ? { ...replay, tools } : replay);
  }
  if (modes.length === 0) throw new Error(`${id}: neither a "streaming" nor a "non-streaming" section`);
  return { id, api, modes };
}

function modeCase(archive: Txtar, mode: Mode, request: string, first: string): ModeCase {
  const responses: ReplayResponse[] = [parseResponseSection(first, CONTENT_TYPE[mode])];
  const second = section(archive, `${mode}/tool-call`);
  if (second !== undefined) responses.push(parseResponseSection(second, CONTENT_TYPE[mode]));
  const answer = responses[0] as ReplayResponse;
  const client = section(archive, mode === "streaming" ? "expect/client" : "expect/client/non-streaming");
  const recordsText = section(
    archive,
    mode === "streaming" ? "expect/records" : "expect/records/non-streaming",
  );
  return {
    mode,
    requestBody: withStreamFlag(request, mode),
    responses,
    expectStatus: answer.status,
    expectClient: client === undefined ? answer.body : bytes(client),
    expect: recordsText === undefined ? {} : { records: JSON.parse(recordsText) as Record<string, unknown> },
  };
}

import type { ToolDefinition } from "../ports/tool-provider.ts";
import { injectedToolName, shortHash } from "./naming.ts";

export interface InjectedTool {
  /** The name the model sees. */
  readonly name: string;
  readonly definition: ToolDefinition;
}

/** The tools injected into ONE request: the only ones the bridge will run for it (MCP-01). */
export interface ToolCatalog {
  readonly tools: readonly InjectedTool[];
  readonly byName: ReadonlyMap<string, InjectedTool>;
}

/**
 * Builds the request's catalog in the provider's stable order. A tool whose name the client also
 * declares is left out: the client's tool wins and its calls go back to the client.
 */
export function buildCatalog(
  definitions: readonly ToolDefinition[],
  clientNames: ReadonlySet<string>,
): ToolCatalog {
  const byName = new Map<string, InjectedTool>();
  const tools: InjectedTool[] = [];
  for (const definition of definitions) {
    let name = injectedToolName(definition.server, definition.name);
    // Two tools cleaned into the same name: the later one gets a hash of its own.
    if (byName.has(name))
      name = `${name.slice(0, 55)}_${shortHash(`${definition.server}/${definition.name}/dup`)}`;
    if (byName.has(name) || clientNames.has(name)) continue;
    const tool = { name, definition };
    byName.set(name, tool);
    tools.push(tool);
  }
  return { tools, byName };
}

import { runCli } from "../cli/main.ts";
import { nodeRuntime } from "./runtime.ts";

// Node 20 cannot run the TypeScript sources: `npm run build` compiles this file to dist/ first.
const argv = process.argv.slice(2);
const outcome = await runCli(argv, nodeRuntime);
// runCli resolves once its output is written out, so exiting now loses nothing.
if (outcome !== "serving") process.exit(outcome);

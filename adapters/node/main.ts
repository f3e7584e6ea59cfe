import { isServeCommand, runCli } from "../cli/main.ts";
import { nodeRuntime } from "./runtime.ts";

// Node 20 cannot run the TypeScript sources: `npm run build` compiles this file to dist/ first.
const argv = process.argv.slice(2);
const code = await runCli(argv, nodeRuntime);
if (!isServeCommand(argv) || code !== 0) process.exit(code);

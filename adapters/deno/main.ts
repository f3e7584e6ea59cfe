import { isServeCommand, runCli } from "../cli/main.ts";
import { denoRuntime } from "./runtime.ts";

// Run with --config adapters/deno/deno.json: it resolves npm packages from node_modules
// (offline) and turns off Deno.serve's legacy abort of request.signal.
const argv = process.argv.slice(2);
const code = await runCli(argv, denoRuntime);
if (!isServeCommand(argv) || code !== 0) process.exit(code);

import { runCli } from "../cli/main.ts";
import { denoRuntime } from "./runtime.ts";

// Run with --config adapters/deno/deno.json: it resolves npm packages from node_modules
// (offline) and turns off Deno.serve's legacy abort of request.signal.
const argv = process.argv.slice(2);
const outcome = await runCli(argv, denoRuntime);
// runCli resolves once its output is written out, so exiting now loses nothing.
if (outcome !== "serving") process.exit(outcome);

import { runCli } from "../cli/main.ts";
import { bunRuntime } from "./runtime.ts";

const argv = process.argv.slice(2);
const outcome = await runCli(argv, bunRuntime);
// runCli resolves once its output is written out, so exiting now loses nothing.
if (outcome !== "serving") process.exit(outcome);

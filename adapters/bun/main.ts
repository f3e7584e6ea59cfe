import { runCli } from "../cli/main.ts";
import { bunRuntime } from "./runtime.ts";

const code = await runCli(process.argv.slice(2), bunRuntime);
if (process.argv[2] !== "serve" || code !== 0) process.exit(code);

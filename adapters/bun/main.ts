import { isServeCommand, runCli } from "../cli/main.ts";
import { bunRuntime } from "./runtime.ts";

const argv = process.argv.slice(2);
const code = await runCli(argv, bunRuntime);
if (!isServeCommand(argv) || code !== 0) process.exit(code);

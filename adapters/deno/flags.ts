/**
 * The flags `deno run` needs for adapters/deno/main.ts (package.json's start:deno, the tests and
 * docs/runtimes.md use these): npm packages from the existing node_modules (offline), no legacy
 * abort of request.signal, and only the permissions the server uses.
 */
export const DENO_FLAGS = [
  "--node-modules-dir=manual",
  "--unstable-no-legacy-abort",
  "--allow-net",
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-sys",
] as const;

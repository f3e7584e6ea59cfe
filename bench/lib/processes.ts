import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/**
 * Child processes of the benchmark: every one is registered so that it is killed however the run
 * ends (normal exit, error, Ctrl-C, timeout). Output is kept for diagnostics and readiness checks.
 */
export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<number>;
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects on timeout or exit. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** Sends a line to the child's stdin. */
  send(line: string): void;
  stop(): Promise<void>;
}

const children = new Set<Bun.Subprocess<"pipe", "pipe", "pipe">>();

function killEverything(): void {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  children.clear();
}

process.on("exit", killEverything);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    killEverything();
    process.exit(130);
  });
}

export interface SpawnOptions {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
}

/**
 * Every child starts through `sh`, which raises its soft open-file limit to the hard limit and
 * then `exec`s the command (same pid, so /proc figures stay the child's own). Bun raises its own
 * soft limit at start-up, Node does not: without this a Node gateway stops at ~1,000 sockets.
 */
const RAISE_FD_LIMIT = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';

export function spawnChild(name: string, command: readonly string[], options: SpawnOptions = {}): Child {
  const proc = Bun.spawn(["sh", "-c", RAISE_FD_LIMIT, "sh", ...command], {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...options.env },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  children.add(proc);
  let text = "";
  const listeners = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>): Promise<void> => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      text += decoder.decode(read.value, { stream: true });
      // Keep memory bounded for chatty children: the tail is what diagnostics need.
      if (text.length > 4_000_000) text = text.slice(-1_000_000);
      for (const listener of listeners) listener();
    }
  };
  void pump(proc.stdout).catch(() => {});
  void pump(proc.stderr).catch(() => {});
  const exited = proc.exited.then((code) => {
    children.delete(proc);
    for (const listener of listeners) listener();
    return code;
  });

  return {
    name,
    pid: proc.pid,
    exited,
    output: () => text,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(text);
          if (match) {
            done();
            resolve(match);
          } else if (proc.exitCode !== null || proc.signalCode !== null) {
            done();
            reject(
              new Error(
                `${name} exited (${proc.exitCode ?? proc.signalCode}) before ${pattern}:\n${tail(text)}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name}: no ${pattern} within ${timeoutMs} ms:\n${tail(text)}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    send(line) {
      proc.stdin.write(`${line}\n`);
      proc.stdin.flush();
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1500));
      await Promise.race([exited, timeout]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1500))]);
    },
  };
}

export async function stopAll(): Promise<void> {
  killEverything();
}

function tail(text: string): string {
  return text.length > 2000 ? `…${text.slice(-2000)}` : text;
}

/** A TCP port free on 127.0.0.1 right now (for programs that cannot be told to use port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until `url` answers at all (any status), or fails after `timeoutMs`. */
export async function waitHttp(url: string, timeoutMs: number, init: RequestInit = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return;
    } catch (error) {
      last = error;
      await Bun.sleep(100);
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(last)}`);
}

/** Resident set size of a process in bytes (Linux /proc), or null where unavailable. */
export function rssBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in microseconds (Linux /proc), or null. */
export function cpuMicros(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * (1_000_000 / CLOCK_TICKS) : null;
  } catch {
    return null;
  }
}

/** The open-file limits (soft, hard) this process passes on to its children; null where unknown. */
export function fdLimits(): { readonly soft: number; readonly hard: number } | null {
  try {
    const limits = readFileSync("/proc/self/limits", "utf8");
    const match = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(limits);
    if (!match) return null;
    const value = (text: string): number => (text === "unlimited" ? Number.POSITIVE_INFINITY : Number(text));
    return { soft: value(match[1]!), hard: value(match[2]!) };
  } catch {
    return null;
  }
}

/** How many ephemeral ports outgoing loopback connections can use (Linux), or null where unknown. */
export function ephemeralPorts(): number | null {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/);
    const count = Number(high) - Number(low) + 1;
    return Number.isFinite(count) && count > 0 ? count : null;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every mainstream Linux build. */
const CLOCK_TICKS = 100;

import { EventEmitter } from "node:events";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { MemoryLogger } from "../../core/ports/logger.ts";
import { createNodeServer } from "../node/runtime.ts";
import { errorFields, logUnhandledErrors, serverErrorHandler } from "./server-errors.ts";
import { jsonLogger } from "./system-ports.ts";

describe("server errors become one JSON log line", () => {
  it("the server hook logs the error once and answers the provider-shaped 500", async () => {
    const logger = new MemoryLogger();
    const response = serverErrorHandler(logger)(new TypeError("boom"));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { type: "api_error", message: "Internal error." } });
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({
      level: "error",
      message: "unhandled server error",
      fields: { error: { name: "TypeError", message: "boom" } },
    });
  });

  it("a stack is one string field of one line", () => {
    const lines: string[] = [];
    jsonLogger((line) => lines.push(line)).error("unhandled server error", errorFields(new Error("x\ny")));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith("\n")).toBe(true);
    expect(lines[0]!.slice(0, -1)).not.toContain("\n");
    const parsed = JSON.parse(lines[0]!) as { error: { stack: string } };
    expect(parsed.error.stack).toContain("    at ");
  });

  it("an unhandled rejection is logged and the process stays up; an uncaught exception exits 1", () => {
    const logger = new MemoryLogger();
    const events = new EventEmitter();
    const exits: number[] = [];
    logUnhandledErrors(logger, events, (code) => exits.push(code));
    events.emit("unhandledRejection", "a reason that is no Error");
    expect(exits).toEqual([]);
    events.emit("uncaughtException", new RangeError("bad"));
    expect(exits).toEqual([1]);
    expect(logger.lines.map((l) => [l.level, l.message])).toEqual([
      ["error", "unhandled rejection"],
      ["error", "uncaught exception; exiting"],
    ]);
    expect(logger.lines[0]!.fields).toEqual({
      error: { name: "string", message: "a reason that is no Error" },
    });
    expect(logger.lines[1]!.fields).toMatchObject({ error: { name: "RangeError", message: "bad" } });
  });

  it("the Node server logs a handler's throw through the logger, not console.error", async () => {
    const logger = new MemoryLogger();
    const server = createNodeServer(async () => {
      throw new Error("handler bug");
    }, logger);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: { type: "api_error", message: "Internal error." } });
      expect(logger.lines.map((l) => l.message)).toEqual(["unhandled server error"]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

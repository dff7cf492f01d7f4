import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { plainBookkeepingStacks } from "../infra/stack-traces";

// The SDK's per-promise stack traces skip source maps; every other stack trace keeps them.
let installed: unknown;
let dir: string;
beforeEach(() => {
  installed = Reflect.get(Error, "prepareStackTrace");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-stacks-"));
});
afterEach(() => {
  Reflect.set(Error, "prepareStackTrace", installed);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A stack trace taken by a function named `name` in the file at `relative` under a temporary folder. */
function stackFrom(relative: string, name: string): string {
  const file = path.join(dir, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `exports.take = function ${name}() { return new Error().stack; };\n`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { take } = require(file) as { take: () => string };
  return take();
}

const SDK_DEBUGGABLE = path.join("node_modules", "@pulumi", "pulumi", "runtime", "debuggable.js");

describe("plainBookkeepingStacks", () => {
  it("formats the SDK's per-promise records as V8 does, and hands every other trace to the source maps", () => {
    Error.prepareStackTrace = () => "source-mapped";
    plainBookkeepingStacks();
    const record = stackFrom(SDK_DEBUGGABLE, "debuggablePromise");
    expect(record).toMatch(
      new RegExp(`^Error\\n    at debuggablePromise \\(${dir}/.*debuggable\\.js:1:\\d+\\)\\n    at `),
    );
    // The same function name elsewhere, or another function in that file, is not the SDK's record.
    expect(stackFrom(path.join("lib", "debuggable.js"), "debuggablePromise")).toBe("source-mapped");
    expect(stackFrom(path.join("other", SDK_DEBUGGABLE), "promiseDebugString")).toBe("source-mapped");
    expect(new Error("mine").stack).toBe("source-mapped");
  });

  it("wraps once however often it is called, and leaves V8's own format where nothing maps", () => {
    Error.prepareStackTrace = () => "source-mapped";
    plainBookkeepingStacks();
    const wrapped: unknown = Reflect.get(Error, "prepareStackTrace");
    plainBookkeepingStacks();
    expect(Reflect.get(Error, "prepareStackTrace")).toBe(wrapped);

    Reflect.deleteProperty(Error, "prepareStackTrace");
    plainBookkeepingStacks();
    expect(Reflect.get(Error, "prepareStackTrace")).toBeUndefined();
  });
});

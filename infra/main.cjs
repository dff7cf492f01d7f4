// @ts-check
// Pulumi.yaml `main`: runs the program (infra/index.ts) compiled, compiling it first when its
// sources changed (compile.cjs). A type error stops the run before anything is registered.
const pulumi = require("@pulumi/pulumi");
const path = require("node:path");
const { compiledProgram } = require("./compile.cjs");

let entry;
try {
  entry = compiledProgram(path.resolve(__dirname, ".."));
} catch (error) {
  // The engine prints a RunError's message alone: tsc's report, not this file's stack.
  throw new pulumi.RunError(error instanceof Error ? error.message : String(error));
}
module.exports = require(entry);

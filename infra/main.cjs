// @ts-check
// Pulumi.yaml `main`: runs the program (infra/index.ts) compiled, compiling it first when its
// sources changed (compile.cjs). A type error stops the run before anything is registered.
const path = require("node:path");
const { requireCompiled } = require("./compile.cjs");

module.exports = requireCompiled(path.resolve(__dirname, ".."), "infra/index.js");

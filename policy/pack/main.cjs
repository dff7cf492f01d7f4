// @ts-check
// package.json `main`: runs the pack (index.ts) compiled, from the program's build (compiling it
// first when its sources changed: infra/compile.cjs). The runner then requires no TypeScript, and
// infra/sdk-preload.cjs keeps TypeScript from loading (policy/README.md).
const path = require("node:path");
const { requireCompiled } = require("../../infra/compile.cjs");

module.exports = requireCompiled(path.resolve(__dirname, "..", ".."), "policy/pack/index.js");

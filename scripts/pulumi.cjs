// @ts-check
// `npm run preview|up|destroy`: runs the wrapper (pulumi.ts) compiled, from the program's build
// (infra/compile.cjs, compiling first when a source changed), as Pulumi runs the program and the
// policy pack: a command compiles no TypeScript (through tsx it spent 0.12 s on that).
const path = require("node:path");
const { compiledBuild } = require("../infra/compile.cjs");

// A compile takes seconds; the commands after it none.
const announce = () =>
  console.error("Compiling the program, policy pack and wrapper (tsc -p tsconfig.build.json)...");

let build;
try {
  build = compiledBuild(path.resolve(__dirname, ".."), undefined, announce);
} catch (error) {
  // tsc's report: the same a preview would print, and nothing ran.
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
require(path.join(build, "scripts", "pulumi.js"));

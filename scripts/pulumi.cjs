// @ts-check
// `npm run preview|up|destroy`: runs the wrapper (pulumi.ts) compiled, from the program's build
// (infra/compile.cjs, compiling first when a source changed), as Pulumi runs the program and the
// policy pack: a command compiles no TypeScript (through tsx it spent 0.12 s on that).
const path = require("node:path");
// preview and up serve the program from this process (infra/program-host.ts): the SDK loads here,
// and without what the preload defers, as in Pulumi's language host (Pulumi.yaml `nodeargs`).
require("../infra/sdk-preload.cjs");
const { compiledBuild } = require("../infra/compile.cjs");

// A compile takes seconds; the commands after it none.
const announce = () =>
  console.error("Compiling the program, policy pack and wrapper (tsc -p tsconfig.build.json)...");

/** @type {string | undefined} */
let build;
try {
  build = compiledBuild(path.resolve(__dirname, ".."), undefined, announce);
} catch (error) {
  const report = error instanceof Error ? error.message : String(error);
  // preview and up would run the program: tsc's report is what they would print, and nothing ran.
  if (process.argv[2] !== "destroy") {
    console.error(`error: ${report}`);
    process.exit(2);
  }
  // destroy needs only the stack's state: a stack must come down while its sources do not compile.
  console.error(
    "warning: the sources do not compile (tsc -p tsconfig.build.json); destroy needs only the " +
      "stack's state, so the wrapper runs from its TypeScript (tsx) and goes on",
  );
}
if (build !== undefined) require(path.join(build, "scripts", "pulumi.js"));
else {
  // @ts-expect-error -- tsx declares no types for its require hook, loaded for its effect alone
  require("tsx/cjs");
  require(path.join(__dirname, "pulumi.ts"));
}

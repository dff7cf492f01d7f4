import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..");
const PRELOAD = path.join(ROOT, "infra", "sdk-preload.cjs");

/** Runs `script` in a Node.js process started as Pulumi starts the program (the preload first). */
function run(script: string): unknown {
  // Serializing a function makes Node.js warn (arborist's WASI, a dependency's `sys`), with or
  // without the preload; any error still reaches stderr.
  const args = ["--no-warnings", "--require", PRELOAD, "-e", script];
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout);
}

const LOADED = `const loaded = () => ["typescript", "@npmcli/arborist", "@pulumi/pulumi/automation"].filter((m) =>
  Object.keys(require.cache).some((f) => f.includes("/node_modules/" + m + "/")));`;

it("keeps the SDK from loading TypeScript, npm's arborist and the Automation API at start", () => {
  expect(run(`${LOADED} require("@pulumi/pulumi"); console.log(JSON.stringify(loaded()));`)).toEqual([]);
});

// What the modules are for: serializing a function (TypeScript parses it) and the packages it
// needs (arborist reads the dependency tree), for dynamic providers and callbacks; driving Pulumi
// from a program (the Automation API). Deferred is not removed: the first use loads the real module.
it("loads them on first use: the SDK still serializes a function, finds its packages, automates", () => {
  const script = `${LOADED}
    const pulumi = require("@pulumi/pulumi");
    const before = loaded();
    (async () => {
      const f = await pulumi.runtime.serializeFunction(() => 6 * 7);
      const answer = new Function("exports", f.text + "; return exports." + f.exportName + "();")({});
      const paths = await pulumi.runtime.computeCodePaths({ extraIncludePackages: ["yaml"] });
      const yaml = [...paths.keys()].some((p) => p.endsWith("node_modules/yaml"));
      const automation = typeof pulumi.automation.LocalWorkspace.create;
      console.log(JSON.stringify({ before, answer, yaml, automation, after: loaded() }));
    })();`;
  expect(run(script)).toEqual({
    before: [],
    answer: 42,
    yaml: true,
    automation: "function",
    after: ["typescript", "@npmcli/arborist", "@pulumi/pulumi/automation"],
  });
}, 60_000);

// The policy-pack runner asks which TypeScript and ts-node there are (tsutils), logging TypeScript's
// version as it does, then parses that version and registers ts-node whatever the pack's language
// (test/policy/pack.test.ts starts the runner itself). The version comes from TypeScript's
// package.json, without loading the compiler.
it("answers TypeScript's version from its package.json, without loading TypeScript", () => {
  const script = `${LOADED}
    const { typescriptRequire, tsnodeRequire } = require("@pulumi/pulumi/tsutils").typeScriptRequireStrings();
    console.log(JSON.stringify({ typescriptRequire, tsnodeRequire: tsnodeRequire.replace(/.*[\\/]/, ""), loaded: loaded() }));`;
  expect(run(script)).toEqual({
    typescriptRequire: "typescript",
    tsnodeRequire: "ts-node@7.0.1",
    loaded: [],
  });
});

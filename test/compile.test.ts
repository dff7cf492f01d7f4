import * as pulumi from "@pulumi/pulumi";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, run before any TypeScript
const compile = require("../infra/compile.cjs") as {
  BUILD_DIR: string;
  sourceFingerprint(root: string): string;
  compiledBuild(
    root: string,
    compile?: (root: string, outDir: string) => void,
    announce?: () => void,
  ): string;
  compiledProgram(root: string, compile?: (root: string, outDir: string) => void): string;
  requireCompiled(root: string, file: string, compile?: (root: string, outDir: string) => void): unknown;
};

const REPO = path.resolve(__dirname, "..");

/** A project with the layout compile.cjs reads: sources in infra/, components/, stacks/, policy/, scripts/. */
function project(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "compile-"));
  for (const dir of ["infra", "components", "stacks", "policy", "scripts"])
    fs.mkdirSync(path.join(root, dir));
  fs.writeFileSync(path.join(root, "infra", "index.ts"), "export = async () => ({});\n");
  fs.writeFileSync(path.join(root, "components", "service.ts"), "export const a = 1;\n");
  fs.writeFileSync(path.join(root, "stacks", "dev.ts"), "export const b = 2;\n");
  fs.writeFileSync(path.join(root, "policy", "rules.ts"), "export const c = 3;\n");
  fs.writeFileSync(path.join(root, "tsconfig.json"), "{}\n");
  fs.writeFileSync(path.join(root, "tsconfig.build.json"), "{}\n");
  fs.writeFileSync(path.join(root, "package-lock.json"), "{}\n");
  return root;
}

/** A stand-in for tsc that writes the entry point and counts its runs. */
function fakeTsc(): { runs: number; compile: (root: string, outDir: string) => void } {
  const fake = {
    runs: 0,
    compile: (_root: string, outDir: string) => {
      fake.runs += 1;
      fs.mkdirSync(path.join(outDir, "infra"), { recursive: true });
      fs.writeFileSync(path.join(outDir, "infra", "index.js"), "module.exports = {};\n");
    },
  };
  return fake;
}

describe("sourceFingerprint", () => {
  let root: string;
  beforeEach(() => {
    root = project();
  });

  it("stays the same while nothing changes", () => {
    expect(compile.sourceFingerprint(root)).toBe(compile.sourceFingerprint(root));
  });

  it.each<[string, (root: string) => void]>([
    ["a source edited", (r) => fs.appendFileSync(path.join(r, "components", "service.ts"), "// edit\n")],
    ["a source added", (r) => fs.writeFileSync(path.join(r, "stacks", "prod.ts"), "export {};\n")],
    [
      "a source in a subfolder added",
      (r) => {
        fs.mkdirSync(path.join(r, "components", "sub"));
        fs.writeFileSync(path.join(r, "components", "sub", "x.ts"), "export {};\n");
      },
    ],
    ["a source removed", (r) => fs.rmSync(path.join(r, "stacks", "dev.ts"))],
    ["a policy rule edited", (r) => fs.appendFileSync(path.join(r, "policy", "rules.ts"), "// edit\n")],
    ["a script added", (r) => fs.writeFileSync(path.join(r, "scripts", "pulumi.ts"), "export {};\n")],
    ["the build's tsconfig edited", (r) => fs.writeFileSync(path.join(r, "tsconfig.build.json"), "{ }\n")],
    ["the dependencies changed", (r) => fs.writeFileSync(path.join(r, "package-lock.json"), "{ }\n")],
  ])("changes with %s", (_change, change) => {
    const before = compile.sourceFingerprint(root);
    change(root);
    expect(compile.sourceFingerprint(root)).not.toBe(before);
  });

  it("ignores files that are not TypeScript (assets are read where they are)", () => {
    const before = compile.sourceFingerprint(root);
    fs.writeFileSync(path.join(root, "components", "backup.sh"), "#!/bin/sh\n");
    expect(compile.sourceFingerprint(root)).toBe(before);
  });
});

describe("compiledProgram", () => {
  let root: string;
  beforeEach(() => {
    root = project();
  });

  // scripts/pulumi.cjs says so on stderr: the first command after an edit pauses for the compile.
  it("announces a compile, and only a compile", () => {
    const said: string[] = [];
    const tsc = fakeTsc();
    compile.compiledBuild(root, tsc.compile, () => said.push(`compiling (runs so far: ${tsc.runs})`));
    compile.compiledBuild(root, tsc.compile, () => said.push("again"));
    expect(said).toEqual(["compiling (runs so far: 0)"]);
  });

  it("compiles once per version of the sources, into .build/<fingerprint>/", () => {
    const tsc = fakeTsc();
    const first = compile.compiledProgram(root, tsc.compile);
    const again = compile.compiledProgram(root, tsc.compile);
    expect(first).toBe(path.join(root, ".build", compile.sourceFingerprint(root), "infra", "index.js"));
    expect([again, tsc.runs, fs.readdirSync(path.join(root, ".build"))]).toEqual([
      first,
      1,
      [compile.sourceFingerprint(root)],
    ]);
    fs.appendFileSync(path.join(root, "infra", "index.ts"), "// edit\n");
    expect(compile.compiledProgram(root, tsc.compile)).not.toBe(first);
    expect(tsc.runs).toBe(2);
  });

  it("leaves nothing behind when the compiler fails, and passes its error on", () => {
    const failing = () => {
      throw new Error("infra/index.ts(1,1): error TS2304: Cannot find name 'x'.");
    };
    expect(() => compile.compiledProgram(root, failing)).toThrow("error TS2304: Cannot find name 'x'.");
    expect(fs.readdirSync(path.join(root, ".build"))).toEqual([]);
  });

  it("uses the build another run renamed into place while this one compiled", () => {
    const fingerprint = compile.sourceFingerprint(root);
    const racing = (_root: string, outDir: string) => {
      fakeTsc().compile(root, path.join(root, ".build", fingerprint));
      fakeTsc().compile(root, outDir);
    };
    expect(compile.compiledProgram(root, racing)).toBe(
      path.join(root, ".build", fingerprint, "infra", "index.js"),
    );
    expect(fs.readdirSync(path.join(root, ".build"))).toEqual([fingerprint]);
  });

  it("replaces a build of these sources that lost its entry point", () => {
    const build = path.join(root, ".build", compile.sourceFingerprint(root));
    fs.mkdirSync(path.join(build, "components"), { recursive: true });
    const tsc = fakeTsc();
    expect(compile.compiledProgram(root, tsc.compile)).toBe(path.join(build, "infra", "index.js"));
    expect([tsc.runs, fs.existsSync(path.join(build, "components"))]).toEqual([1, false]);
  });

  it("removes the builds of other versions older than ten minutes, and keeps newer ones", () => {
    const builds = path.join(root, ".build");
    for (const name of ["old", "recent"]) fs.mkdirSync(path.join(builds, name), { recursive: true });
    const elevenMinutesAgo = new Date(Date.now() - 11 * 60 * 1000);
    fs.utimesSync(path.join(builds, "old"), elevenMinutesAgo, elevenMinutesAgo);
    compile.compiledProgram(root, fakeTsc().compile);
    expect(fs.readdirSync(builds).sort()).toEqual([compile.sourceFingerprint(root), "recent"].sort());
  });

  // The real compiler, on a project with a type error: the run stops with tsc's report.
  it("stops on a type error with tsc's report", () => {
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(root, "node_modules"));
    fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true } }));
    fs.writeFileSync(
      path.join(root, "tsconfig.build.json"),
      JSON.stringify({
        extends: "./tsconfig.json",
        compilerOptions: { rootDir: "." },
        include: ["infra/**/*.ts"],
      }),
    );
    fs.writeFileSync(path.join(root, "infra", "index.ts"), 'export const port: number = "8080";\n');
    expect(() => compile.compiledProgram(root)).toThrow(
      /^the program does not compile \(tsc -p tsconfig.build.json\); nothing was deployed:\ninfra\/index.ts\(1,14\): error TS2322: Type 'string' is not assignable to type 'number'.$/,
    );
  }, 60_000);
});

describe("requireCompiled", () => {
  let root: string;
  beforeEach(() => {
    root = project();
  });

  // infra/main.cjs (the program) and policy/pack/main.cjs (the pack) load their entry points so.
  it("loads a module of the build, compiling first", () => {
    const tsc = fakeTsc();
    const compileWithPack = (r: string, outDir: string) => {
      tsc.compile(r, outDir);
      fs.mkdirSync(path.join(outDir, "policy", "pack"), { recursive: true });
      fs.writeFileSync(path.join(outDir, "policy", "pack", "index.js"), "module.exports = { pack: true };\n");
    };
    expect(compile.requireCompiled(root, "policy/pack/index.js", compileWithPack)).toEqual({ pack: true });
    expect(tsc.runs).toBe(1);
  });

  // Pulumi's runners print a RunError's message alone, without this file's stack.
  it("turns a compile error into Pulumi's RunError with tsc's report", () => {
    const failing = () => {
      throw new Error(
        "the program does not compile (tsc -p tsconfig.build.json); nothing was deployed:\nreport",
      );
    };
    let thrown: unknown;
    try {
      compile.requireCompiled(root, "infra/index.js", failing);
    } catch (error) {
      thrown = error;
    }
    expect(pulumi.RunError.isInstance(thrown)).toBe(true);
    // Its stack too: the runners format it with util.inspect, slow over a real stack (index.ts).
    expect((thrown as Error).stack).toBe((thrown as Error).message);
    expect((thrown as Error).message).toBe(
      "the program does not compile (tsc -p tsconfig.build.json); nothing was deployed:\nreport",
    );
  });
});

// The SDK's runner installs source-map-support; with the build's source maps, a stack trace (and
// the source position the SDK sends with each resource) names the TypeScript line.
it("builds this project with source maps: stack traces name the TypeScript", () => {
  const entry = compile.compiledProgram(REPO);
  const units = path.join(path.dirname(path.dirname(entry)), "components", "units.js");
  const script = `require("source-map-support/register");
    try { require(${JSON.stringify(units)}).parseCpus(null); } catch (error) { console.log(error.stack.split("\\n")[1]); }`;
  const run = spawnSync(process.execPath, ["-e", script], { cwd: REPO, encoding: "utf8" });
  const source = path.join(REPO, "components", "units.ts").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  expect(run.stdout.trim()).toMatch(new RegExp(`^at Object\\.parseCpus \\(${source}:\\d+:\\d+\\)$`));
}, 60_000);

// @ts-check
// The compiled program, policy pack and wrapper: what infra/main.cjs (Pulumi.yaml `main`),
// policy/pack/main.cjs (the pack's `main`) and scripts/pulumi.cjs (`npm run preview|up|destroy`)
// run. JavaScript, because it runs before anything could compile TypeScript.
//
// Pulumi's language host would run the TypeScript through ts-node: TypeScript loaded (0.2 s) and
// each file looked up in ts-node's cache, on every preview and update. Instead tsc compiles the
// program once per version of its sources into `.build/<fingerprint>/` (with source maps, so stack
// traces name the TypeScript), with the type check ts-node did, and every run after that loads
// plain JavaScript.
const { spawnSync } = require("node:child_process");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

/** The folder of the builds, under the project root (components/source-dir.ts maps back from it). */
const BUILD_DIR = ".build";
/**
 * Where tsc finds what it compiles: tsconfig.build.json's `include` (the pack's rules are under
 * policy/) and what scripts/pulumi.ts imports, which may be anywhere under scripts/.
 */
const SOURCE_DIRS = ["infra", "components", "stacks", "policy", "scripts"];
/** Files besides the sources that change what tsc emits or accepts. */
const BUILD_INPUTS = ["tsconfig.json", "tsconfig.build.json", "package-lock.json"];
/** The program's entry point in a build; a build without it is not whole. */
const ENTRY = path.join("infra", "index.js");
/** A build of another version of the sources is removed once it is this old (ms). */
const STALE_AFTER = 10 * 60 * 1000;

/**
 * Every `.ts` file under `dir`, as paths relative to `root`, sorted.
 *
 * @param {string} root
 * @param {string} dir
 * @returns {string[]}
 */
function sources(root, dir) {
  /** @type {string[]} */
  const found = [];
  /** @param {string} rel */
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith(".ts")) found.push(child);
    }
  };
  walk(dir);
  return found.sort();
}

/**
 * A name for this version of the program's sources: a hash of each source's and build input's path,
 * size and modification time (a file added, removed, edited or checked out changes it). Reading
 * it costs one `stat` per file.
 *
 * @param {string} root the project root
 * @returns {string}
 */
function sourceFingerprint(root) {
  const hash = createHash("sha256");
  const files = [...SOURCE_DIRS.flatMap((dir) => sources(root, dir)), ...BUILD_INPUTS];
  for (const file of files) {
    const stat = fs.statSync(path.join(root, file), { throwIfNoEntry: false });
    hash.update(`${file}\0${stat ? `${stat.size}:${stat.mtimeMs}` : "missing"}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * Compiles the program with tsc into `outDir`; on a type error throws with tsc's report.
 *
 * @param {string} root
 * @param {string} outDir
 */
function tsc(root, outDir) {
  const compiler = require.resolve("typescript/bin/tsc", { paths: [root] });
  const result = spawnSync(process.execPath, [compiler, "-p", "tsconfig.build.json", "--outDir", outDir], {
    cwd: root,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    const report = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim() || String(result.error);
    throw new Error(
      `the program does not compile (tsc -p tsconfig.build.json); nothing was deployed:\n${report}`,
    );
  }
}

/**
 * The folder of the current build, `.build/<fingerprint>/`, compiled first when these sources have
 * no build yet. The build is written to a temporary folder and renamed into place, so a run never
 * sees half a build, and two runs compiling at once both end with a whole one. Builds of other
 * versions are removed once older than {@link STALE_AFTER}.
 *
 * @param {string} root the project root
 * @param {(root: string, outDir: string) => void} [compile] the compiler (tests pass a stand-in)
 * @param {() => void} [announce] called before compiling, to say why a command pauses
 * @returns {string}
 */
function compiledBuild(root, compile = tsc, announce = () => {}) {
  const builds = path.join(root, BUILD_DIR);
  const fingerprint = sourceFingerprint(root);
  const build = path.join(builds, fingerprint);
  const entry = path.join(build, ENTRY);
  if (fs.existsSync(entry)) return build;

  announce();
  fs.mkdirSync(builds, { recursive: true });
  const partial = fs.mkdtempSync(path.join(builds, `.partial-${fingerprint}-`));
  try {
    compile(root, partial);
    place(partial, build, entry);
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
  }
  removeStaleBuilds(builds, fingerprint);
  return build;
}

/**
 * The entry point of the compiled program, `.build/<fingerprint>/infra/index.js`: {@link compiledBuild}.
 *
 * @param {string} root the project root
 * @param {(root: string, outDir: string) => void} [compile] the compiler (tests pass a stand-in)
 * @returns {string}
 */
function compiledProgram(root, compile = tsc) {
  return path.join(compiledBuild(root, compile), ENTRY);
}

/**
 * Renames a finished build into place, unless another run's got there first.
 *
 * @param {string} partial the finished build
 * @param {string} build where it goes
 * @param {string} entry its entry point
 */
function place(partial, build, entry) {
  try {
    fs.renameSync(partial, build);
  } catch (error) {
    if (fs.existsSync(entry)) return;
    // A folder there without its entry point is no run's build (runs rename whole builds), but a
    // hand-pruned leftover; no run can finish into it, so removing it races with none.
    if (!fs.existsSync(build)) throw error;
    fs.rmSync(build, { recursive: true, force: true });
    fs.renameSync(partial, build);
  }
}

/**
 * Best effort. A run loads its whole program when it starts, so removing the build of a run still
 * going harms nothing, and runs do not last {@link STALE_AFTER}.
 *
 * @param {string} builds the folder of the builds
 * @param {string} keep the build to keep
 */
function removeStaleBuilds(builds, keep) {
  const now = Date.now();
  for (const name of fs.readdirSync(builds)) {
    if (name === keep) continue;
    const dir = path.join(builds, name);
    try {
      if (now - fs.statSync(dir).mtimeMs > STALE_AFTER) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // gone already, or not ours to remove
    }
  }
}

/**
 * Requires `file` (a path relative to the root, of JavaScript in the build) from the current build,
 * compiling first ({@link compiledBuild}). A compile error becomes a RunError, which
 * Pulumi's runners print as its message alone: tsc's report, not this file's stack.
 *
 * @param {string} root the project root
 * @param {string} file e.g. `infra/index.js`
 * @param {(root: string, outDir: string) => void} [compile] the compiler (tests pass a stand-in)
 * @returns {unknown} the module's exports
 */
function requireCompiled(root, file, compile = tsc) {
  let build;
  try {
    build = compiledBuild(root, compile);
  } catch (error) {
    const { RunError } = require("@pulumi/pulumi");
    const message = error instanceof Error ? error.message : String(error);
    const runError = new RunError(message);
    // The runners also format it with util.inspect, which on Node.js 20 can take seconds over a
    // source-mapped stack (infra/index.ts); the message is all the user reads.
    runError.stack = message;
    throw runError;
  }
  return require(path.join(build, file));
}

module.exports = { BUILD_DIR, compiledBuild, compiledProgram, requireCompiled, sourceFingerprint };

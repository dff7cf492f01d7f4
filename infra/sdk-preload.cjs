// @ts-check
// Loaded before the Pulumi SDK (Pulumi.yaml `nodeargs` for the program, NODE_OPTIONS from
// scripts/pulumi.ts for the policy pack): defers what the SDK sets up at start for code this project
// never runs through it. Each deferred module is loaded, for real, on the first use of anything it
// exports.
//
// - TypeScript (0.2 s to load) and npm's @npmcli/arborist (0.17 s), which the SDK loads only to
//   serialize JavaScript functions (dynamic providers, callbacks). TypeScript's `version` is read
//   from its package.json: the policy-pack runner logs and parses it before registering ts-node.
// - The Automation API (0.03 s), which the SDK's index loads for `pulumi.automation`, a namespace
//   for programs that drive Pulumi, not for programs Pulumi runs.
// - ts-node's `register`, which the policy-pack runner calls whatever the pack's language, and
//   which loads TypeScript. Deferred, it registers on the first TypeScript file required; the pack,
//   compiled (policy/pack/main.cjs), requires none.
/**
 * Node.js's loader, which every `require` goes through (internal: not in Node.js's types).
 *
 * @typedef {(this: unknown, request: string, parent: NodeJS.Module | undefined, isMain: boolean) => unknown} Load
 * @typedef {(module: NodeJS.Module, filename: string) => unknown} Extension
 */
const Module =
  /** @type {{ _load: Load & { shipyardDeferred?: true }, _extensions: Record<string, Extension | undefined>, _resolveFilename: (request: string, parent: NodeJS.Module | undefined) => string }} */ (
    /** @type {unknown} */ (require("node:module"))
  );
const fs = require("node:fs");
const path = require("node:path");

const DEFERRED = new Set(["typescript", "@npmcli/arborist"]);
/** Namespaces the SDK's index loads for its exports; deferred only there. */
const DEFERRED_BY_INDEX = new Set(["./automation"]);
/** The SDK's index, `require("@pulumi/pulumi")`. */
const SDK_INDEX = /[\\/]node_modules[\\/]@pulumi[\\/]pulumi[\\/]index\.js$/;
/** ts-node as the SDK requires it: installed, or the SDK's vendored copy by path. */
const TS_NODE = /^ts-node$|[\\/]vendor[\\/]ts-node@[^\\/]+$/;
/** The files ts-node compiles whatever the tsconfig (allowJs adds `.js` and `.jsx`). */
const TS_EXTENSIONS = [".ts", ".tsx"];
/** The SDK's own files; only its requests are deferred. */
const SDK_FILE = /[\\/]node_modules[\\/]@pulumi[\\/]pulumi[\\/]/;

/**
 * A stand-in for a module, loading the real one on first use.
 *
 * @param {() => object} load
 * @param {string} [file] the module's resolved path, when its `version` export is its package's
 * @returns {object}
 */
function deferredModule(load, file) {
  /** @type {object | undefined} */
  let loaded;
  const real = () => (loaded ??= load());
  return new Proxy(
    {},
    {
      get: (_, key) => {
        if (loaded === undefined) {
          // TypeScript's `import * as` helper returns a module marked __esModule as it is, without
          // copying (and so loading) its exports.
          if (key === "__esModule") return true;
          if (key === "version" && file !== undefined) {
            const version = packageVersion(file);
            if (version !== undefined) return version;
          }
        }
        return Reflect.get(real(), key);
      },
      has: (_, key) => Reflect.has(real(), key),
      ownKeys: () => Reflect.ownKeys(real()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
        // A proxy may not report a property non-configurable that its (empty) target lacks.
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
}

/**
 * The version in the package.json of the package `file` belongs to (the nearest one above it).
 *
 * @param {string} file
 * @returns {string | undefined}
 */
function packageVersion(file) {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (!fs.existsSync(manifest)) continue;
    const { version } = JSON.parse(fs.readFileSync(manifest, "utf8"));
    return typeof version === "string" ? version : undefined;
  }
  return undefined;
}

/**
 * ts-node with `register` deferred: the call hooks the TypeScript extensions only, and the first
 * file required through them registers ts-node for real (with the same options) and is compiled by
 * it. Until then every other export is ts-node's own.
 *
 * @param {{ register: (options?: object) => unknown }} tsNode
 */
function deferredRegister(tsNode) {
  /** @param {object} [options] */
  const register = (options) => {
    const before = new Map(TS_EXTENSIONS.map((ext) => [ext, Module._extensions[ext]]));
    /** @type {Extension} */
    const first = (module, filename) => {
      for (const [ext, handler] of before) {
        if (Module._extensions[ext] !== first) continue;
        if (handler === undefined) delete Module._extensions[ext];
        else Module._extensions[ext] = handler;
      }
      tsNode.register(options);
      const compile = Module._extensions[path.extname(filename)] ?? Module._extensions[".js"];
      return /** @type {Extension} */ (compile)(module, filename);
    };
    for (const ext of TS_EXTENSIONS) Module._extensions[ext] = first;
  };
  return new Proxy(tsNode, {
    get: (target, key) => (key === "register" ? register : Reflect.get(target, key)),
  });
}

if (!Module._load.shipyardDeferred) {
  const load = Module._load;
  /** @type {Load & { shipyardDeferred?: true }} */
  const deferring = function (request, parent, isMain) {
    const fromSdk = SDK_FILE.test(parent?.filename ?? "");
    if (fromSdk && TS_NODE.test(request)) {
      return deferredRegister(
        /** @type {{ register: () => unknown }} */ (load.call(this, request, parent, isMain)),
      );
    }
    const deferred =
      fromSdk &&
      (DEFERRED.has(request) || (DEFERRED_BY_INDEX.has(request) && SDK_INDEX.test(parent?.filename ?? "")));
    if (!deferred) return load.call(this, request, parent, isMain);
    // Not installed: fail now, as the real require would (the SDK falls back to its vendored copy).
    const file = Module._resolveFilename(request, parent);
    const real = () => /** @type {object} */ (load.call(this, request, parent, isMain));
    return deferredModule(real, request === "typescript" ? file : undefined);
  };
  deferring.shipyardDeferred = true;
  Module._load = deferring;
}

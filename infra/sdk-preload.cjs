// Loaded before the Pulumi SDK (Pulumi.yaml `nodeargs` for the program, NODE_OPTIONS from
// scripts/pulumi.ts for the policy pack): defers two modules the SDK loads at start and uses only
// to serialize JavaScript functions, which this project never does (dynamic providers, callbacks):
// TypeScript (0.2 s to load) and npm's @npmcli/arborist (0.17 s). Each is loaded, for real, on the
// first use of anything it exports.
/**
 * Node.js's loader, which every `require` goes through (internal: not in Node.js's types).
 *
 * @typedef {(this: unknown, request: string, parent: NodeJS.Module | undefined, isMain: boolean) => unknown} Load
 */
const Module = /** @type {{ _load: Load & { shipyardDeferred?: true } }} */ (
  /** @type {unknown} */ (require("node:module"))
);

const DEFERRED = new Set(["typescript", "@npmcli/arborist"]);
/** The SDK's own files; only its requests are deferred. */
const SDK_FILE = /[\\/]node_modules[\\/]@pulumi[\\/]pulumi[\\/]/;

if (!Module._load.shipyardDeferred) {
  const load = Module._load;
  /** @type {Load & { shipyardDeferred?: true }} */
  const deferring = function (request, parent, isMain) {
    if (!DEFERRED.has(request) || !parent || !SDK_FILE.test(parent.filename ?? "")) {
      return load.call(this, request, parent, isMain);
    }
    /** @type {object | undefined} */
    let loaded;
    const real = () => (loaded ??= /** @type {object} */ (load.call(this, request, parent, isMain)));
    return new Proxy(
      {},
      {
        // TypeScript's `import * as` helper returns a module marked __esModule as it is, without
        // copying (and so loading) its exports.
        get: (_, key) => (key === "__esModule" && loaded === undefined ? true : Reflect.get(real(), key)),
        has: (_, key) => Reflect.has(real(), key),
        ownKeys: () => Reflect.ownKeys(real()),
        getOwnPropertyDescriptor: (_, key) => {
          const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
          // A proxy may not report a property non-configurable that its (empty) target lacks.
          return descriptor && { ...descriptor, configurable: true };
        },
      },
    );
  };
  deferring.shipyardDeferred = true;
  Module._load = deferring;
}

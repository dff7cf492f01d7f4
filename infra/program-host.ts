/**
 * The program, served to the Pulumi CLI from the process that starts the CLI: `pulumi preview|up
 * --client=<address>` evaluates it through this server instead of starting Pulumi's Node.js
 * language host, which is a new Node.js process per evaluation loading the SDK and the program
 * (0.7 s here before the first resource, after the CLI and its policy pack have started). The npm
 * wrapper (scripts/pulumi.ts) loads the program while the CLI starts, once for both evaluations of
 * `npm run up`. Automation API programs reach the CLI the same way (`--client`).
 *
 * Each evaluation runs as the SDK's runner (cmd/run/run.js) runs one: in the program's folder, with
 * the stack's config and fresh SDK state, stack traces source-mapped; an uncaught error is reported
 * once (a RunError by its message, a ResourceError on its resource) and the CLI is told so
 * (`bail`), so it prints no second copy; promises the program left running fail the evaluation.
 */
import * as grpc from "@grpc/grpc-js";
import type * as Pulumi from "@pulumi/pulumi";
import * as langproto from "@pulumi/pulumi/proto/language_pb";
import * as langrpc from "@pulumi/pulumi/proto/language_grpc_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

/** The program as Pulumi.yaml's `main` exports it: what it resolves to is the stack's outputs. */
export type Program = () => Promise<Record<string, unknown> | undefined>;

/** A program served to the CLI: {@link hostProgram}. */
export interface ProgramHost {
  /** What `--client=` takes. */
  readonly address: string;
  /** Loads the program and the SDK now, rather than when the CLI first evaluates it. */
  load(): void;
  /** Stops serving. */
  close(): void;
}

/** Parts of the SDK (3.248) its runner uses that its types leave out. */
interface SdkState {
  withLocalStorage<T>(run: () => Promise<T>): Promise<T>;
}
interface SdkPromises {
  leakedPromises(): [Set<Promise<unknown>>, string];
}

/** As large a message as the SDK's own servers take (runtime/settings.js `grpcChannelOptions`). */
const MAX_MESSAGE = 400 * 1024 * 1024;

/**
 * Serves `load()`'s program on a free local port until {@link ProgramHost.close}. The SDK and the
 * program load on {@link ProgramHost.load} or the first evaluation; the server needs neither.
 */
export async function hostProgram(root: string, load: () => Program): Promise<ProgramHost> {
  const sdkRequire = createRequire(require.resolve("@pulumi/pulumi", { paths: [root] }));
  let program: Program | undefined;
  const loaded = (): Program => {
    if (program !== undefined) return program;
    // What the SDK's runner registers first: stack traces name the TypeScript (the program's entry,
    // infra/index.ts, then keeps the SDK's per-promise records out of it: stack-traces.ts).
    sdkRequire("source-map-support/register");
    program = load();
    return program;
  };

  const server = new grpc.Server({
    "grpc.max_receive_message_length": MAX_MESSAGE,
    "grpc.max_send_message_length": MAX_MESSAGE,
  });
  const service: grpc.UntypedServiceImplementation = {
    getRequiredPlugins: (
      _call: unknown,
      callback: grpc.sendUnaryData<langproto.GetRequiredPluginsResponse>,
    ) => callback(null, new langproto.GetRequiredPluginsResponse().setPluginsList(requiredPlugins(root))),
    getPluginInfo: (_call: unknown, callback: grpc.sendUnaryData<plugproto.PluginInfo>) =>
      callback(null, new plugproto.PluginInfo().setVersion("1.0.0")),
    run: (
      call: grpc.ServerUnaryCall<langproto.RunRequest, langproto.RunResponse>,
      callback: grpc.sendUnaryData<langproto.RunResponse>,
    ) => {
      let run: Promise<langproto.RunResponse>;
      try {
        const entry = loaded();
        const state = sdkRequire("./runtime/state") as SdkState;
        run = state.withLocalStorage(() => evaluate(sdkRequire, entry, call.request));
      } catch (error) {
        // The program (or the SDK) failed to load: the CLI prints this as the program's error.
        const message = describe(loadedSdk(sdkRequire), error, call.request.getProgram());
        run = Promise.resolve(new langproto.RunResponse().setError(message));
      }
      run.then(
        (response) => callback(null, response),
        (error: unknown) => callback({ code: grpc.status.INTERNAL, details: String(error) }),
      );
    },
  };
  server.addService(langrpc.LanguageRuntimeService, service);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    load: () => {
      try {
        loaded();
      } catch {
        // Reported where it matters: the CLI's evaluation loads the program again and prints why.
      }
    },
    close: () => server.forceShutdown(),
  };
}

/** One evaluation of the program, in the SDK state `withLocalStorage` made for it. */
async function evaluate(
  sdkRequire: NodeJS.Require,
  program: Program,
  request: langproto.RunRequest,
): Promise<langproto.RunResponse> {
  const pulumi = sdkRequire("./index") as typeof Pulumi;
  const promises = sdkRequire("./runtime/debuggable") as SdkPromises;
  const reported = new Set<unknown>();
  const report = (error: unknown): void => {
    if (reported.has(error)) return;
    reported.add(error);
    // The engine ended the connection (a cancelled update, an engine error): it says why itself.
    if (error instanceof Error && pulumi.isGrpcError(error)) return;
    const resource = pulumi.ResourceError.isInstance(error) ? error.resource : undefined;
    void pulumi.log.error(describe(pulumi, error, request.getProgram()), resource);
  };

  const config: Record<string, string> = {};
  for (const [key, value] of request.getConfigMap().entries()) config[key] = value;
  // The engine's address comes as the first argument to a client (pkg/engine/update.go).
  const engine = request.getArgsList()[0] ?? "";
  pulumi.runtime.resetOptions(
    request.getProject(),
    request.getStack(),
    request.getParallel(),
    engine,
    request.getMonitorAddress(),
    request.getDryrun(),
    request.getOrganization(),
  );
  pulumi.runtime.setAllConfig(config, request.getConfigsecretkeysList());
  process.setMaxListeners(pulumi.runtime.getMaximumListeners());

  const cwd = process.cwd();
  process.on("uncaughtException", report);
  process.on("unhandledRejection", report);
  try {
    // The language host runs the program from its folder (Pulumi.yaml `main`'s).
    if (request.getPwd() !== "") process.chdir(request.getPwd());
    await pulumi.runtime.runInPulumiStack(program);
    await pulumi.runtime.disconnect(true);
  } catch (error) {
    report(error);
    await pulumi.runtime.disconnect(false).catch(() => undefined);
  } finally {
    process.off("uncaughtException", report);
    process.off("unhandledRejection", report);
    process.chdir(cwd);
  }

  const response = new langproto.RunResponse();
  if (reported.size > 0 || pulumi.log.hasErrors()) return response.setBail(true);
  // What the runner checks as its process exits; here the evaluation ends instead.
  const [leaked, message] = promises.leakedPromises();
  if (leaked.size > 0) {
    leaked.clear();
    response.setError(message);
  }
  return response;
}

/** The SDK, or undefined where it does not load. */
function loadedSdk(sdkRequire: NodeJS.Require): typeof Pulumi | undefined {
  try {
    return sdkRequire("./index") as typeof Pulumi;
  } catch {
    return undefined;
  }
}

/** An uncaught error as the SDK's runner prints it, without util.inspect (seconds on Node.js 20). */
export function describe(sdk: typeof Pulumi | undefined, error: unknown, program: string): string {
  if (sdk?.RunError.isInstance(error)) return error.message;
  if (sdk?.ResourceError.isInstance(error))
    return error.hideStack ? error.message : (error.stack ?? error.message);
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `Running program '${program}' failed with an unhandled exception:\n${detail}`;
}

/**
 * The resource plugins the program needs, as the Node.js language host lists them: each dependency
 * in package.json whose own package.json has `pulumi.resource` (@pulumi/docker, @pulumi/random).
 * The CLI installs any missing one before the evaluation starts.
 */
export function requiredPlugins(root: string): plugproto.PluginDependency[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  const plugins: plugproto.PluginDependency[] = [];
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    let file: string;
    try {
      file = require.resolve(`${dependency}/package.json`, { paths: [root] });
    } catch {
      continue; // not installed, or its package.json not exported: not a Pulumi provider package
    }
    const info = (JSON.parse(fs.readFileSync(file, "utf8")) as { pulumi?: PluginInfo }).pulumi;
    if (info?.resource !== true || typeof info.name !== "string" || typeof info.version !== "string")
      continue;
    const plugin = new plugproto.PluginDependency()
      .setName(info.name)
      .setKind("resource")
      .setVersion(info.version);
    if (typeof info.server === "string") plugin.setServer(info.server);
    plugins.push(plugin);
  }
  return plugins;
}

/** The `pulumi` section of a provider package's package.json. */
interface PluginInfo {
  readonly resource?: unknown;
  readonly name?: unknown;
  readonly version?: unknown;
  readonly server?: unknown;
}

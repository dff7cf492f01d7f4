/**
 * The pack as `npm run preview|up` start it: the npm wrapper starts the pack itself, while the CLI
 * starts (scripts/policy-pack.ts), and the CLI attaches to it through `attach.sh` instead of
 * starting it through Pulumi's Node.js language host. The language host would start it only once
 * the engine had sent the stack's configuration, putting that configuration into the pack's
 * environment, and would then relay every call between the engine and the pack.
 *
 * Started so, the pack takes the same configuration from the engine's ConfigureStack call, as the
 * language host would (the same variables, set before any policy runs: the engine configures a pack
 * before anything else), and exits when the wrapper does (its standard input closes), so that no
 * pack, and no port file, outlives the command that started it. Started by the language host, the
 * pack is left as it was.
 */
import type * as grpc from "@grpc/grpc-js";
import type * as analyzerrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

/** Set by scripts/policy-pack.ts in the environment of the pack it starts. */
export const STARTED_BY_WRAPPER = "SHIPYARD_POLICY_PACK_ATTACHED";
/** The file the wrapper writes the pack's port to, for attach.sh (scripts/policy-pack.ts). */
export const PORT_FILE = "SHIPYARD_POLICY_PACK_PORT_FILE";

/** The variables {@link stackEnvironment} sets. */
const STACK_VARIABLES = [
  "PULUMI_NODEJS_ORGANIZATION",
  "PULUMI_NODEJS_PROJECT",
  "PULUMI_NODEJS_STACK",
  "PULUMI_NODEJS_DRY_RUN",
  "PULUMI_CONFIG",
] as const;

type ConfigureStack = grpc.handleUnaryCall<
  analyzerproto.AnalyzerStackConfigureRequest,
  analyzerproto.AnalyzerStackConfigureResponse
>;

/**
 * The environment Pulumi's Node.js language host gives a policy pack for a stack configuration
 * (pulumi-language-nodejs RunPlugin): empty values left out, the config as one JSON object of
 * `project:key` to value.
 */
export function stackEnvironment(
  request: analyzerproto.AnalyzerStackConfigureRequest,
): Record<string, string> {
  const config: Record<string, string> = {};
  for (const [key, value] of request.getConfigMap().entries()) config[key] = value;
  const vars: Record<(typeof STACK_VARIABLES)[number], string> = {
    PULUMI_NODEJS_ORGANIZATION: request.getOrganization(),
    PULUMI_NODEJS_PROJECT: request.getProject(),
    PULUMI_NODEJS_STACK: request.getStack(),
    PULUMI_NODEJS_DRY_RUN: String(request.getDryRun()),
    PULUMI_CONFIG: JSON.stringify(config),
  };
  return Object.fromEntries(Object.entries(vars).filter(([, value]) => value !== ""));
}

/**
 * When the wrapper started this process: the analyzer @pulumi/policy is about to serve takes each
 * stack configuration into the environment ({@link stackEnvironment}), and the process exits when
 * its standard input closes. Call it before constructing the PolicyPack; otherwise it does nothing.
 */
export function serveAttached(env: NodeJS.ProcessEnv = process.env): void {
  if (env[STARTED_BY_WRAPPER] !== "1") return;
  // @pulumi/policy registers its Analyzer implementation once, when the PolicyPack starts serving;
  // its ConfigureStack handler is not exported, so it is wrapped as it is registered, on the gRPC
  // server and service definition @pulumi/policy itself loads.
  const policyRequire = createRequire(require.resolve("@pulumi/policy"));
  const { Server } = policyRequire("@grpc/grpc-js") as typeof grpc;
  const { AnalyzerService } = policyRequire("@pulumi/pulumi/proto/analyzer_grpc_pb") as typeof analyzerrpc;
  const server = Server.prototype;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its server, then put back
  const addService = server.addService;
  server.addService = function (service, implementation) {
    const configureStack = implementation["configureStack"] as ConfigureStack | undefined;
    if (service === AnalyzerService && typeof configureStack === "function") {
      server.addService = addService;
      // One pack serves each command the wrapper runs (the preview, then the update): each
      // configuration replaces the last.
      const wrapped: ConfigureStack = (call, callback) => {
        for (const name of STACK_VARIABLES) delete env[name];
        Object.assign(env, stackEnvironment(call.request));
        configureStack(call, callback);
      };
      implementation = { ...implementation, configureStack: wrapped };
    }
    addService.call(this, service, implementation);
  };
  process.stdin.on("close", () => exitAfter(env[PORT_FILE])).resume();
}

/**
 * The wrapper is gone: its port file and the folder made for it go too (the wrapper removes them
 * when it exits, not when it is killed), then this process. Only that file, and the folder only
 * once empty.
 */
function exitAfter(portFile: string | undefined): never {
  if (portFile !== undefined && path.isAbsolute(portFile)) {
    try {
      fs.rmSync(portFile, { force: true });
      fs.rmdirSync(path.dirname(portFile));
    } catch {
      // removed by the wrapper already, or not empty: not this process's to remove
    }
  }
  process.exit(0);
}

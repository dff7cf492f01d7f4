import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./config";
import { runStack } from "./program";
import { readRuntimeConfig, readSecret } from "./runtime-config";
import { plainBookkeepingStacks } from "./stack-traces";

// The runner has registered source maps by now; the SDK's per-promise stack traces skip them.
plainBookkeepingStacks();

// The Pulumi entry point (Pulumi.yaml `main`). Everything else is in program.ts so tests and
// tools can run the same program under mocks. The language host runs the exported function and
// takes what it resolves to as the stack's outputs.
export = async () => {
  try {
    const stack = await runStack(readRuntimeConfig(), pulumi.getStack(), readSecret);
    return {
      /** Where the web answers. */
      url: stack.url,
      /** Immutable image reference per service: what `npm run promote` copies to the next stack. */
      images: stack.images,
      /** What runs: services with replicas and published ports, networks, volumes. */
      summary: stack.summary,
    };
  } catch (error) {
    // The engine prints a RunError's message alone; any other error comes with a stack trace,
    // which for a config mistake only buries the list of problems and their fixes.
    if (error instanceof ConfigError) {
      const runError = new pulumi.RunError(error.message);
      // The SDK's runner also formats every uncaught error with util.inspect (for its trace span):
      // on Node.js 20, over this error's source-mapped stack, that took 15 s before the message
      // showed. The message is all the user reads.
      runError.stack = error.message;
      throw runError;
    }
    throw error;
  }
};

import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./config";
import { runStack, type StackOutputs } from "./program";
import { readRuntimeConfig, readSecret } from "./runtime-config";

// The Pulumi entry point (Pulumi.yaml `main`). Everything else is in program.ts so tests and
// tools can run the same program under mocks.
function main(): StackOutputs {
  try {
    return runStack(readRuntimeConfig(), pulumi.getStack(), readSecret);
  } catch (error) {
    // The engine prints a RunError's message alone; any other error comes with a stack trace,
    // which for a config mistake only buries the list of problems and their fixes.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

const stack = main();

/** Where the web answers. */
export const url = stack.url;
/** Immutable image reference per service: what `npm run promote` copies to the next stack. */
export const images = stack.images;
/** What runs: services with replicas and published ports, networks, volumes. */
export const summary = stack.summary;

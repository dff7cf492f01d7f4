import * as pulumi from "@pulumi/pulumi";
import { runStack } from "./program";
import { readRuntimeConfig, readSecret } from "./runtime-config";

// The Pulumi entry point (Pulumi.yaml `main`). Everything else is in program.ts so tests and
// tools can run the same program under mocks.
const stack = runStack(readRuntimeConfig(), pulumi.getStack(), readSecret);

/** Where the web answers. */
export const url = stack.url;
/** Immutable image reference per service: what `npm run promote` copies to the next stack. */
export const images = stack.images;
/** What runs: services with replicas and published ports, networks, volumes. */
export const summary = stack.summary;

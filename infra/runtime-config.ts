import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfigModule from "@pulumi/pulumi/runtime/config";
import { PROJECT, type RawConfig } from "./config";

// The SDK keeps config in process-wide runtime state; `allConfig` lists it and `isConfigSecret`
// (not in the public typings) says which keys were stored encrypted.
const runtimeConfig = runtimeConfigModule as unknown as {
  allConfig(): Record<string, string>;
  isConfigSecret(key: string): boolean;
};

/** The `shipyard:` entries of the running stack's config, with their secret flags. */
export function readRuntimeConfig(): RawConfig {
  const raw: Record<string, { value: string; secret: boolean }> = {};
  for (const [key, value] of Object.entries(runtimeConfig.allConfig())) {
    if (!key.startsWith(`${PROJECT}:`)) continue;
    raw[key.slice(PROJECT.length + 1)] = { value, secret: runtimeConfig.isConfigSecret(key) };
  }
  return raw;
}

/** Reads a secret config key; the value stays a secret Output. */
export function readSecret(key: string): pulumi.Output<string> {
  return new pulumi.Config(PROJECT).requireSecret(key);
}

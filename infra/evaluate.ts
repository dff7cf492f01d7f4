import * as pulumi from "@pulumi/pulumi";
import type { RawConfig } from "./config";
import {
  promiseOf,
  readStackFile,
  registered,
  resetRegistrations,
  settle,
  type Registration,
} from "./offline";
import { runStack, type StackOutputs } from "./program";

export interface Evaluation {
  readonly outputs: StackOutputs;
  readonly images: Record<string, string>;
  readonly registrations: readonly Registration[];
}

/**
 * Runs the program for a stack under the mocks (installMocks must have run) and waits until every
 * resource is registered.
 *
 * @param raw the stack config; by default the committed `Pulumi.<stack>.yaml`
 */
export async function evaluateStack(
  stack: string,
  raw: RawConfig = readStackFile(stack),
): Promise<Evaluation> {
  // Registrations of an earlier evaluation may still be in flight; let them land before clearing.
  await settle();
  resetRegistrations();
  // Encrypted values cannot be decrypted here; the raw value (a placeholder for committed files) stands in.
  const outputs = runStack(raw, stack, (key) => pulumi.secret(raw[key]?.value ?? ""));
  const images = await promiseOf(outputs.images);
  await settle();
  return { outputs, images, registrations: [...registered()] };
}

/** Config entries overlaid on a raw config (later wins), for variants of a committed stack. */
export function withConfig(raw: RawConfig, entries: Record<string, unknown>): RawConfig {
  const result: Record<string, { value: string; secret: boolean }> = { ...raw };
  for (const [key, value] of Object.entries(entries)) {
    result[key] = { value: typeof value === "string" ? value : JSON.stringify(value), secret: false };
  }
  return result;
}

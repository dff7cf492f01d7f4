import * as pulumi from "@pulumi/pulumi";
import type { Target } from "../components/target";
import { prodCatalog } from "../stacks/prod";
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
  const outputs = await runStack(raw, stack, (key) => pulumi.secret(raw[key]?.value ?? ""));
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

/** The image id that stands in for an app image a prod-like stack takes only from promotion. */
export const PLACEHOLDER_IMAGE_ID = `sha256:${"0".repeat(64)}`;

/** An evaluation by one of the offline tools, and the image keys it had to stand placeholders in for. */
export interface OfflineEvaluation extends Evaluation {
  /** `images.<key>` entries a prod stack lacked before its first promotion; empty otherwise. */
  readonly placeholderImages: readonly string[];
}

/**
 * Evaluates a stack as the offline tools (`npm run audit`, `diagram`, `compose`) do: the committed
 * `Pulumi.<stack>.yaml` (or `raw`), on `target` when given, and for a prod stack never promoted,
 * placeholder image ids for the images only promotion writes, so everything else can be checked.
 */
export async function evaluateOffline(
  stack: string,
  options: { readonly raw?: RawConfig; readonly target?: Target } = {},
): Promise<OfflineEvaluation> {
  let raw = options.raw ?? readStackFile(stack);
  if (options.target !== undefined) raw = withConfig(raw, { target: options.target });
  const placeholderImages: string[] = [];
  if (raw.environment?.value === "prod") {
    const images = raw.images ? (JSON.parse(raw.images.value) as Record<string, string>) : {};
    for (const key of prodCatalog.requiredImages) {
      if (images[key] !== undefined) continue;
      images[key] = PLACEHOLDER_IMAGE_ID;
      placeholderImages.push(`images.${key}`);
    }
    if (placeholderImages.length > 0) raw = withConfig(raw, { images });
  }
  return { ...(await evaluateStack(stack, raw)), placeholderImages };
}

/**
 * Promotion by digest (research/ecosystem.md §4, option 1): the source stack's `images` output
 * (service → immutable reference) becomes the target stack's `images` config, one `images.<service>`
 * value at a time, so the target's stack file shows exactly which digests change in review.
 */
import type { ConfigValue, OutputMap, UpdateSummary } from "@pulumi/pulumi/automation";
import { parseImageRef } from "../../components/image-ref";
import { isDnsLabel } from "../../components/naming";

export interface PromotionInput {
  /** The stack promoted from, e.g. `dev`. */
  readonly source: string;
  /** The stack promoted to, e.g. `prod`. */
  readonly target: string;
  /** `stack.outputs()` of the source. */
  readonly sourceOutputs: OutputMap;
  /** The source's latest operation (`stack.history(1)[0]`); absent when the stack never ran one. */
  readonly sourceLastUpdate: Pick<UpdateSummary, "kind" | "result"> | undefined;
  /** `stack.getConfig("images")` of the target; absent when the key is not set. */
  readonly targetImages: ConfigValue | undefined;
}

/** One config value to set on the target, through `pulumi config set --path`. */
export interface ConfigChange {
  /** `images.<service>` */
  readonly path: string;
  /** The target's current value; absent when it has none. */
  readonly from?: string;
  readonly to: string;
}

export interface PromotionPlan {
  readonly source: string;
  readonly target: string;
  /** By service name. */
  readonly changes: readonly ConfigChange[];
  /** Paths whose value the target already has, by service name. */
  readonly unchanged: readonly string[];
  /** Target paths the source does not export: left as they are. */
  readonly kept: readonly string[];
}

export type PlanResult =
  | { readonly ok: true; readonly plan: PromotionPlan }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Plans the promotion, or returns every reason it cannot happen. */
export function planPromotion(input: PromotionInput): PlanResult {
  const { source, target } = input;
  const errors: string[] = [];
  const last = input.sourceLastUpdate;
  if (last !== undefined && last.result !== "succeeded") {
    errors.push(
      `stack ${source}: the last ${last.kind} is "${last.result}", not "succeeded"; run \`npm run up -- ${source}\` until it succeeds, then promote`,
    );
  }
  const images = sourceImages(input, errors);
  const current = targetImages(input, errors);
  if (errors.length > 0 || images === undefined || current === undefined) return { ok: false, errors };

  const changes: ConfigChange[] = [];
  const unchanged: string[] = [];
  for (const [service, to] of Object.entries(images).sort(([a], [b]) => a.localeCompare(b))) {
    const path = `images.${service}`;
    const from = current[service];
    if (from === to) unchanged.push(path);
    else changes.push({ path, ...(from !== undefined ? { from } : {}), to });
  }
  const kept = Object.keys(current)
    .filter((service) => !(service in images))
    .sort()
    .map((service) => `images.${service}`);
  return { ok: true, plan: { source, target, changes, unchanged, kept } };
}

/** The source's `images` output, checked to be pinned references; `undefined` after an error. */
function sourceImages(
  { source, sourceOutputs }: PromotionInput,
  errors: string[],
): Record<string, string> | undefined {
  if (Object.keys(sourceOutputs).length === 0) {
    errors.push(`stack ${source} has no outputs; run \`npm run up -- ${source}\` first`);
    return undefined;
  }
  const output = sourceOutputs.images;
  if (output === undefined) {
    errors.push(
      `stack ${source} has no \`images\` output; run \`npm run up -- ${source}\` with a program that exports it`,
    );
    return undefined;
  }
  if (output.secret) {
    errors.push(
      `stack ${source}: output \`images\` is secret; image references must be plain to be promoted`,
    );
    return undefined;
  }
  const images = stringMap(output.value as unknown);
  if (images === undefined) {
    errors.push(
      `stack ${source}: output \`images\` must map service names to image references, got ${JSON.stringify(output.value)}`,
    );
    return undefined;
  }
  for (const [service, ref] of Object.entries(images)) {
    const problem = pinProblem(service, ref);
    if (problem !== undefined) errors.push(`stack ${source}: ${problem}`);
  }
  return images;
}

/** The target's `images` config ({} when unset); `undefined` after an error. */
function targetImages(
  { target, targetImages: config }: PromotionInput,
  errors: string[],
): Record<string, string> | undefined {
  if (config === undefined) return {};
  if (config.secret === true) {
    errors.push(
      `stack ${target}: config \`images\` is secret; image references are not secrets, keep them in plain text`,
    );
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(config.value);
  } catch {
    parsed = config.value;
  }
  const images = stringMap(parsed);
  if (images === undefined) {
    errors.push(
      `stack ${target}: config \`images\` must map service names to image references, got ${JSON.stringify(parsed)}`,
    );
  }
  return images;
}

/**
 * Why a reference cannot be promoted: it must be immutable (`repo[:tag]@sha256:…` or a local image
 * id), and the service name must be a plain key, since it becomes a `--path` segment.
 */
function pinProblem(service: string, ref: string): string | undefined {
  if (!isDnsLabel(service)) return `image key ${JSON.stringify(service)} is not a service name`;
  const parsed = parseImageRef(ref);
  if ("error" in parsed) return `image ${service} ${parsed.error}`;
  if (parsed.digest === undefined) {
    return `image ${service} is not pinned: ${JSON.stringify(ref)}; promotion needs repo[:tag]@sha256:<64 hex> or an image id sha256:<64 hex>`;
  }
  return undefined;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  return entries.every(([, v]) => typeof v === "string") ? Object.fromEntries(entries) : undefined;
}

/** The plan for a terminal, digests shortened to 12 hex characters. */
export function renderPlan(plan: PromotionPlan): string {
  const lines = [`Promote ${plan.source} → ${plan.target}:`];
  if (plan.changes.length === 0) {
    lines.push(`  nothing to change: ${plan.target} already has every image of ${plan.source}`);
  }
  for (const change of plan.changes) {
    lines.push(
      `  ${change.path}: ${change.from !== undefined ? shorten(change.from) : "(not set)"} → ${shorten(change.to)}`,
    );
  }
  if (plan.unchanged.length > 0) lines.push(`  unchanged: ${plan.unchanged.join(", ")}`);
  if (plan.kept.length > 0) lines.push(`  not in ${plan.source}, left as they are: ${plan.kept.join(", ")}`);
  return lines.join("\n") + "\n";
}

function shorten(ref: string): string {
  return ref.replace(/sha256:([0-9a-f]{12})[0-9a-f]{52}/, "sha256:$1…");
}

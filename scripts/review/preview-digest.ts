/**
 * The document `pulumi preview --json` prints: a `PreviewDigest` (pulumi/pulumi
 * sdk/pkg/display/json.go, filled in by pkg/backend/display/json.go#ShowPreviewDigest).
 *
 * Only the fields the change summary reads are typed; the schemas are loose so that fields added by
 * newer CLIs pass through.
 */
import { z } from "zod";

/** `oldState` / `newState`: an `apitype.ResourceV3`, secrets already replaced by `"[secret]"`. */
const resourceStateSchema = z.looseObject({
  urn: z.string(),
  /** False for component resources and the root stack. */
  custom: z.boolean(),
  type: z.string(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
  /** Omitted for resources at the top of the stack. */
  parent: z.string().optional(),
  /** URNs of the resources this one's inputs came from. */
  dependencies: z.array(z.string()).optional(),
});

const previewStepSchema = z.looseObject({
  /** `same`, `create`, `update`, `delete`, `replace`, `create-replacement`, `delete-replaced`, `read`, ... */
  op: z.string(),
  urn: z.string(),
  provider: z.string().optional(),
  /** Absent for creates, or when the CLI could not serialise the state. */
  oldState: resourceStateSchema.optional(),
  /** Absent for deletes, or when the CLI could not serialise the state. */
  newState: resourceStateSchema.optional(),
  /** Top-level input keys that differ. */
  diffReasons: z.array(z.string()).optional(),
  /** Top-level input keys that force a replacement. */
  replaceReasons: z.array(z.string()).optional(),
  /** Property path (`envs[1]`, `taskSpec.containerSpec.image`) → kind; `null` when the provider gave none. */
  detailedDiff: z
    .record(z.string(), z.looseObject({ kind: z.string(), inputDiff: z.boolean() }))
    .nullable()
    .optional(),
});

const previewDiagnosticSchema = z.looseObject({
  urn: z.string().optional(),
  message: z.string().optional(),
  /** `error`, `warning`, `info`, `info#err`. */
  severity: z.string().optional(),
});

/** Every field is `omitempty` in Go, so an empty preview is `{}`. */
export const previewDigestSchema = z.looseObject({
  config: z.record(z.string(), z.string()).optional(),
  steps: z.array(previewStepSchema).optional(),
  diagnostics: z.array(previewDiagnosticSchema).optional(),
  /** Nanoseconds (a Go `time.Duration`). */
  duration: z.number().optional(),
  /** Step op → count, as the engine's summary event reports it. */
  changeSummary: z.record(z.string(), z.number()).optional(),
  maybeCorrupt: z.boolean().optional(),
});

export type PreviewDigest = z.infer<typeof previewDigestSchema>;
export type PreviewStep = z.infer<typeof previewStepSchema>;
export type ResourceState = z.infer<typeof resourceStateSchema>;

/**
 * Parses the text `pulumi preview --json` printed.
 *
 * @throws Error naming the first field that does not match the digest format
 */
export function parsePreviewDigest(text: string): PreviewDigest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message}`, { cause: error });
  }
  const result = previewDigestSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join(".") : "the document";
    throw new Error(`not a \`pulumi preview --json\` digest: ${where}: ${issue.message}`);
  }
  return result.data;
}

/** The parts of `urn:pulumi:<stack>::<project>::<parent types $ joined>$<type>::<name>`. */
export interface ParsedUrn {
  readonly stack: string;
  readonly project: string;
  /** The types of the resource's ancestors, outermost first, then its own type. */
  readonly typeChain: readonly string[];
  readonly type: string;
  readonly name: string;
}

/** Splits a URN; `undefined` when it is not a Pulumi URN. Names may themselves contain `::`. */
export function parseUrn(urn: string): ParsedUrn | undefined {
  const [head, project, qualifiedType, ...nameParts] = urn.split("::");
  const stack = head?.startsWith("urn:pulumi:") ? head.slice("urn:pulumi:".length) : undefined;
  if (stack === undefined || project === undefined || qualifiedType === undefined || nameParts.length === 0) {
    return undefined;
  }
  const typeChain = qualifiedType.split("$");
  return { stack, project, typeChain, type: typeChain[typeChain.length - 1]!, name: nameParts.join("::") };
}

/**
 * Docker labels of a resource's inputs: `labels: [{ label, value }]` on containers, volumes,
 * networks, secrets and swarm services, plus `taskSpec.containerSpec.labels` on swarm services.
 */
export function labelsOf(state: ResourceState | undefined): ReadonlyMap<string, string> {
  const labels = new Map<string, string>();
  const inputs = state?.inputs;
  const taskSpec = asRecord(inputs?.taskSpec);
  const containerSpec = asRecord(taskSpec?.containerSpec);
  for (const list of [containerSpec?.labels, inputs?.labels]) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const { label, value } = asRecord(entry) ?? {};
      if (typeof label === "string" && typeof value === "string") labels.set(label, value);
    }
  }
  return labels;
}

/** The value as a plain object, or `undefined` for anything else. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Reads what a preview planned (`pulumi preview --save-plan`), so `npm run up` can stop after a
 * preview that found nothing to do. Pure: the plan, the checkpoint and the history come in as parsed
 * JSON.
 */

interface ResourcePlan {
  readonly steps?: readonly string[];
  readonly goal?: { readonly outputDiff?: Readonly<Record<string, unknown>> };
}

/** The name part of a URN, for messages: `urn:…::docker:index/container:Container::api-0` → `api-0`. */
function shortName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

function nonEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === "object" && value !== null && Object.keys(value).length > 0;
}

/**
 * What an update would change, one line per resource (`replace api-0`) plus `outputs of <name>`
 * when a resource's or the stack's outputs would change; empty when the update would do nothing.
 * A plan that cannot be read counts as a change: then the update runs, as it always did.
 */
export function plannedChanges(plan: unknown): string[] {
  const resourcePlans = (plan as { resourcePlans?: unknown } | null)?.resourcePlans;
  if (typeof resourcePlans !== "object" || resourcePlans === null)
    return ["the preview's plan could not be read"];
  const changes: string[] = [];
  for (const [urn, resource] of Object.entries(resourcePlans as Record<string, ResourcePlan>)) {
    const name = shortName(urn);
    const steps = resource.steps ?? [];
    const ops = steps.filter((step) => step !== "same");
    if (steps.length === 0 || ops.length > 0) changes.push(`${ops.join("/") || "unknown step"} ${name}`);
    const outputDiff = resource.goal?.outputDiff ?? {};
    if (Object.values(outputDiff).some(nonEmpty)) changes.push(`outputs of ${name}`);
  }
  return changes;
}

/**
 * Operations an interrupted update left in the stack's checkpoint (`pulumi stack export` or the file
 * backend's `<stack>.json`). An update resolves them, so a stack with any is never skipped.
 */
export function pendingOperations(checkpoint: unknown): number {
  const doc = checkpoint as {
    checkpoint?: { latest?: { pending_operations?: unknown } };
    deployment?: { pending_operations?: unknown };
  } | null;
  const pending = doc?.checkpoint?.latest?.pending_operations ?? doc?.deployment?.pending_operations;
  return Array.isArray(pending) ? pending.length : 0;
}

/**
 * Whether the stack's last operation was an update that failed: its newest history entry (the
 * file backend's `<stack>-<time>.history.json`, or the first of `pulumi stack history --json`).
 * A failed health gate leaves its container in place and nothing for a preview to show; the update
 * runs again, so it checks again. An entry that cannot be read counts as no failure.
 */
export function lastUpdateFailed(entry: unknown): boolean {
  const last = (Array.isArray(entry) ? entry[0] : entry) as { kind?: unknown; result?: unknown } | null;
  return last?.kind === "update" && last.result === "failed";
}

/**
 * `npm run audit -- <stack> [--target container|swarm]`: evaluates the stack under Pulumi mocks (no
 * engine, no daemon, no network) and runs every rule over what it registers. Prints a table of rule
 * id, title, status and offending resources; exits 1 when a rule fails.
 */
import { evaluateStack, withConfig } from "../infra/evaluate";
import { installMocks, listStacks, readStackFile } from "../infra/offline";
import type { RawConfig } from "../infra/config";
import { evaluate, formatTable, hasFailures, type RuleResult } from "../policy/evaluate";
import { fromRecorded, type RecordedResource } from "../policy/recorded";
import type { Target } from "../policy/types";
import { WAIVERS } from "../policy/waivers";
import { prodCatalog } from "../stacks/prod";

export interface AuditReport {
  readonly results: RuleResult[];
  readonly notes: string[];
  readonly text: string;
  readonly failed: boolean;
}

/**
 * Images a prod-like stack takes only from promotion. Before the first promotion the audit stands in
 * placeholder image ids, says so, and checks everything else.
 */
function withPlaceholderImages(raw: RawConfig): { raw: RawConfig; notes: string[] } {
  if (!raw.environment?.value.includes("prod")) return { raw, notes: [] };
  const images = raw.images ? (JSON.parse(raw.images.value) as Record<string, string>) : {};
  const missing = prodCatalog.requiredImages.filter((key) => images[key] === undefined);
  if (missing.length === 0) return { raw, notes: [] };
  for (const key of missing) images[key] = `sha256:${"0".repeat(64)}`;
  return {
    raw: withConfig(raw, { images }),
    notes: [
      `not promoted yet: ${missing.map((k) => `images.${k}`).join(", ")}; audited with placeholder image ids`,
    ],
  };
}

/** Audits a stack; `tamper` lets tests weaken the registered resources before the rules run. */
export async function audit(
  stack: string,
  options: {
    raw?: RawConfig;
    target?: Target;
    tamper?: (resources: RecordedResource[]) => RecordedResource[];
  } = {},
): Promise<AuditReport> {
  let raw = options.raw ?? readStackFile(stack);
  if (options.target !== undefined) raw = withConfig(raw, { target: options.target });
  const placeholder = withPlaceholderImages(raw);
  const evaluation = await evaluateStack(stack, placeholder.raw);
  const recorded = evaluation.registrations.filter((r) => r.custom) as RecordedResource[];
  const resources = (options.tamper ? options.tamper(recorded) : recorded).map(fromRecorded);
  const ctx = {
    environment: evaluation.outputs.summary.environment,
    target: evaluation.outputs.summary.target,
  };
  const results = evaluate(resources, ctx, WAIVERS);
  const waivers = WAIVERS.filter((w) => w.environments.includes(ctx.environment)).map(
    (w) => `waiver ${w.rule}: ${w.reason}`,
  );
  const notes = [...placeholder.notes, ...waivers];
  const failed = hasFailures(results);
  const header = `audit of stack ${stack} (environment ${ctx.environment}, target ${ctx.target})`;
  const text = [
    header,
    ...notes.map((n) => `note: ${n}`),
    "",
    formatTable(results),
    "",
    failed ? "FAILED" : "passed",
  ].join("\n");
  return { results, notes, text, failed };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const stack = args.find((a) => !a.startsWith("--"));
  const targetFlag = args.indexOf("--target");
  const target = targetFlag === -1 ? undefined : (args[targetFlag + 1] as Target | undefined);
  if (stack === undefined || (targetFlag !== -1 && target !== "container" && target !== "swarm")) {
    console.error(
      `usage: npm run audit -- <stack> [--target container|swarm]; stacks: ${listStacks().join(", ")}`,
    );
    process.exitCode = 2;
    return;
  }
  installMocks(stack);
  const report = await audit(stack, { target });
  console.log(report.text);
  process.exitCode = report.failed ? 1 : 0;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  });
}

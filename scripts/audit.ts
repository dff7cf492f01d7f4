/**
 * `npm run audit -- <stack> [--target container|swarm]`: evaluates the stack under Pulumi mocks (no
 * engine, no daemon, no network) and runs every rule over what it registers. Prints a table of rule
 * id, title, status and offending resources; exits 1 when a rule fails.
 */
import { evaluateOffline } from "../infra/evaluate";
import { installMocks, listStacks } from "../infra/offline";
import type { RawConfig } from "../infra/config";
import { evaluate, formatTable, hasFailures, type RuleResult } from "../policy/evaluate";
import { fromRecorded, type RecordedResource } from "../policy/recorded";
import type { Target } from "../policy/types";
import { WAIVERS } from "../policy/waivers";

export interface AuditReport {
  readonly results: RuleResult[];
  readonly notes: string[];
  readonly text: string;
  readonly failed: boolean;
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
  const evaluation = await evaluateOffline(stack, { raw: options.raw, target: options.target });
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
  const placeholders = evaluation.placeholderImages;
  const notes = [
    ...(placeholders.length > 0
      ? [`not promoted yet: ${placeholders.join(", ")}; audited with placeholder image ids`]
      : []),
    ...waivers,
  ];
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

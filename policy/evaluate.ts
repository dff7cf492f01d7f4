/** Runs the rules over a stack's resources, applies waivers, and renders the audit table. */
import { rules } from "./rules";
import type { RegisteredResource, Rule, RuleContext, Violation } from "./types";

/** An accepted deviation from one rule in non-production environments. */
export interface Waiver {
  /** The rule id, e.g. `"CIS-5.14"`. */
  readonly rule: string;
  /** Why the rule does not apply, shown in the audit. Required and non-empty. */
  readonly reason: string;
  /** The environments the waiver covers, e.g. `["dev"]`. Never `"prod"`: prod fixes the resource. */
  readonly environments: readonly string[];
}

/**
 * - `pass`: no violation
 * - `fail`: violations and no waiver for this environment
 * - `waived`: violations covered by a waiver for this environment
 * - `gap`: a control the provider cannot express; reported with its mitigation, never failing
 * - `n/a`: a rule for another target (a Swarm-only control on the container target)
 */
export type Status = "pass" | "fail" | "waived" | "gap" | "n/a";

export interface RuleResult {
  readonly rule: Rule;
  readonly status: Status;
  readonly violations: readonly Violation[];
  /** The waiver's reason, when the status is `waived`. */
  readonly waiverReason?: string;
}

/** Environments no waiver may cover. */
export const UNWAIVABLE_ENVIRONMENTS: readonly string[] = ["prod"];

/**
 * Checks waivers against the rule set.
 *
 * @throws Error listing every problem, one per line: a missing reason, an unknown rule, no
 *   environment, or an environment that cannot be waived
 */
export function checkWaivers(waivers: readonly Waiver[], ruleSet: readonly Rule[] = rules): void {
  const ids = new Set(ruleSet.map((r) => r.id));
  const problems = waivers.flatMap((w) => {
    const prefix = `Waiver for ${JSON.stringify(w.rule)}:`;
    const found: string[] = [];
    if (!ids.has(w.rule)) found.push(`${prefix} no such rule; use an id listed in policy/README.md`);
    if (typeof w.reason !== "string" || w.reason.trim() === "") {
      found.push(
        `${prefix} \`reason\` must say why the rule does not apply, got ${JSON.stringify(w.reason)}`,
      );
    }
    if (w.environments.length === 0)
      found.push(`${prefix} \`environments\` must name at least one environment, got []`);
    for (const env of w.environments.filter((e) => UNWAIVABLE_ENVIRONMENTS.includes(e))) {
      found.push(
        `${prefix} \`environments\` includes ${JSON.stringify(env)}; waivers are not allowed there, fix the resource`,
      );
    }
    return found;
  });
  if (problems.length > 0) throw new Error(problems.join("\n"));
}

/**
 * Evaluates every rule in order.
 *
 * @param waivers deviations accepted for some environments; checked first with {@link checkWaivers}
 * @param ruleSet the rules to run
 * @default ruleSet - every rule in policy/rules.ts
 */
export function evaluate(
  resources: readonly RegisteredResource[],
  ctx: RuleContext,
  waivers: readonly Waiver[] = [],
  ruleSet: readonly Rule[] = rules,
): RuleResult[] {
  checkWaivers(waivers, ruleSet);
  return ruleSet.map((rule): RuleResult => {
    if (rule.appliesTo !== undefined && !rule.appliesTo.includes(ctx.target)) {
      return { rule, status: "n/a", violations: [] };
    }
    const violations = rule.check(resources, ctx);
    if (rule.gap !== undefined) return { rule, status: "gap", violations };
    if (violations.length === 0) return { rule, status: "pass", violations };
    const waiver = waivers.find((w) => w.rule === rule.id && w.environments.includes(ctx.environment));
    return waiver === undefined
      ? { rule, status: "fail", violations }
      : { rule, status: "waived", violations, waiverReason: waiver.reason };
  });
}

/** True when any rule failed (waived and gap results do not count). */
export function hasFailures(results: readonly RuleResult[]): boolean {
  return results.some((r) => r.status === "fail");
}

/**
 * An aligned plain-text table for the audit command: rule id, title, status and the offending
 * resources (each once, in registration order; `-` when none). A gap row is followed by its
 * mitigation, indented under the title.
 */
export function formatTable(results: readonly RuleResult[]): string {
  const rows = [
    ["RULE", "TITLE", "STATUS", "RESOURCES"],
    ...results.map((r) => {
      const offenders = [...new Set(r.violations.map((v) => v.resource))];
      return [r.rule.id, r.rule.title, r.status, offenders.length > 0 ? offenders.join(", ") : "-"];
    }),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join("  ")
      .trimEnd();
  const lines = [line(rows[0]!)];
  results.forEach((r, i) => {
    lines.push(line(rows[i + 1]!));
    if (r.status === "gap" && r.rule.gap !== undefined)
      lines.push(`${" ".repeat(widths[0]! + 2)}mitigation: ${r.rule.gap}`);
  });
  return lines.join("\n");
}

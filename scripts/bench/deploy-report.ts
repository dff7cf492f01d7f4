/**
 * The pure parts of `npm run bench:deploy` (scripts/bench-deploy.ts): its command line, the
 * statistics and the table it prints. Kept apart so they are tested without an engine or daemon.
 */

export interface DeployBenchArgs {
  /** Rounds of every scenario, for both tools. */
  readonly rounds: number;
  /** The stack whose settings the bench's scratch stack copies. */
  readonly from: string;
  /** Keep the scratch folder (compose file, logs) for a look afterwards. */
  readonly keep: boolean;
}

export const DEPLOY_BENCH_USAGE =
  "usage: npm run bench:deploy -- [--rounds <n ≥ 1>] [--from <stack>] [--keep]";

/** Parses the command line; a string is the reason it is not a valid one. */
export function parseDeployBenchArgs(argv: readonly string[]): DeployBenchArgs | string {
  let rounds = 3;
  let from = "dev";
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--rounds") {
      const value = argv[++i];
      const n = Number(value);
      if (value === undefined || !/^\d+$/.test(value) || n < 1)
        return `--rounds takes an integer ≥ 1, got ${value}`;
      rounds = n;
    } else if (arg === "--from") {
      const value = argv[++i];
      if (value === undefined || value.startsWith("-")) return "--from takes a stack name";
      from = value;
    } else if (arg === "--keep") {
      keep = true;
    } else {
      return `unknown argument ${JSON.stringify(arg)}`;
    }
  }
  return { rounds, from, keep };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `33.3 (33.2–33.5)` in seconds; a single value, or equal ones, stand alone. */
export function formatSeconds(values: readonly number[]): string {
  const m = median(values).toFixed(1);
  const lo = Math.min(...values).toFixed(1);
  const hi = Math.max(...values).toFixed(1);
  return lo === hi ? m : `${m} (${lo}–${hi})`;
}

/** One row: what Compose and shipyard did in the same rounds, and the goal for their ratio. */
export interface Scenario {
  readonly label: string;
  readonly compose: readonly number[];
  readonly shipyard: readonly number[];
  /** The largest shipyard / Compose ratio of medians the issue accepts. */
  readonly goal: number;
}

/** The ratio of the medians, shipyard over Compose. */
export function ratio(s: Scenario): number {
  return median(s.shipyard) / median(s.compose);
}

/** A Markdown table, one row per scenario, with the ratio and whether its goal is met. */
export function renderTable(scenarios: readonly Scenario[]): string {
  const rows = [
    ["scenario", "Compose (s)", "shipyard (s)", "ratio", "goal"],
    ...scenarios.map((s) => {
      const r = ratio(s);
      return [
        s.label,
        formatSeconds(s.compose),
        formatSeconds(s.shipyard),
        `${r.toFixed(2)}×`,
        `≤ ${s.goal}×: ${r <= s.goal ? "met" : "missed"}`,
      ];
    }),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...r[c]!].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => cell + " ".repeat(widths[c]! - [...cell].length)).join(" | ")} |`;
  return [
    line(rows[0]!),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...rows.slice(1).map(line),
  ].join("\n");
}

/** A container's id and the service it belongs to (its `shipyard.service` label). */
export interface ContainerEntry {
  readonly id: string;
  readonly service: string;
}

/**
 * Containers by name, from `docker ps -a --format '{{.Names}} {{.ID}} {{.Label "shipyard.service"}}'`
 * lines; a container without the label counts as service `-`.
 */
export function parseContainers(output: string): Map<string, ContainerEntry> {
  const containers = new Map<string, ContainerEntry>();
  for (const line of output.split("\n")) {
    const [name, id, service] = line.trim().split(/\s+/);
    if (name && id) containers.set(name, { id, service: service || "-" });
  }
  return containers;
}

/**
 * The services whose containers a change touched (created, removed or replaced), from snapshots
 * before and after. Sorted.
 */
export function touchedServices(
  before: ReadonlyMap<string, ContainerEntry>,
  after: ReadonlyMap<string, ContainerEntry>,
): string[] {
  const touched = new Set<string>();
  for (const [name, b] of before) if (after.get(name)?.id !== b.id) touched.add(b.service);
  for (const [name, a] of after) if (before.get(name)?.id !== a.id) touched.add(a.service);
  return [...touched].sort();
}

/**
 * Whether Docker reports every running container healthy, from
 * `docker ps --filter status=running --format '{{.Status}}'` lines (`Up 12 seconds (healthy)`). No
 * running container at all is not healthy.
 */
export function allHealthy(statusLines: string): boolean {
  const lines = statusLines
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return lines.length > 0 && lines.every((l) => l.endsWith("(healthy)"));
}

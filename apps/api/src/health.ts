import { withTimeout } from "./async.js";

export type CheckResult = { readonly status: "ok" } | { readonly status: "down"; readonly error: string };

export interface HealthReport {
  /**
   * ok: everything up; degraded: cache down (reads served from the database) or graph down (links
   * answer 503, todos work); down: database down.
   */
  readonly status: "ok" | "degraded" | "down";
  readonly checks: HealthChecks;
}

export interface HealthChecks {
  readonly database: CheckResult;
  readonly cache: CheckResult;
  /** Present only when the graph is configured. */
  readonly graph?: CheckResult;
}

export interface HealthProbes {
  readonly database: () => Promise<void>;
  readonly cache: () => Promise<void>;
  /** @default - no graph check, for an API without GRAPH_URL */
  readonly graph?: () => Promise<void>;
}

export interface HealthTimeouts {
  /** @default 2000 */
  readonly databaseMs?: number;
  /** @default 1000 */
  readonly cacheMs?: number;
  /** @default 1000 */
  readonly graphMs?: number;
}

/** Probes the dependencies in parallel, each bounded so the endpoint answers within its timeout. */
export async function checkHealth(
  probes: HealthProbes,
  timeouts: HealthTimeouts = {},
): Promise<HealthReport> {
  const { graph: graphProbe } = probes;
  const [database, cache, graph] = await Promise.all([
    probe(probes.database, timeouts.databaseMs ?? 2_000, "database"),
    probe(probes.cache, timeouts.cacheMs ?? 1_000, "cache"),
    graphProbe === undefined ? undefined : probe(graphProbe, timeouts.graphMs ?? 1_000, "graph"),
  ]);
  const checks: HealthChecks = { database, cache, ...(graph === undefined ? {} : { graph }) };
  return { status: overallStatus(checks), checks };
}

/** The API can serve without its cache or its graph (only links need it), not without its database. */
export function overallStatus(checks: HealthChecks): HealthReport["status"] {
  if (checks.database.status === "down") return "down";
  return checks.cache.status === "down" || checks.graph?.status === "down" ? "degraded" : "ok";
}

/** 503 only when the API cannot serve: a degraded instance should stay in rotation. */
export function healthHttpStatus(report: HealthReport): number {
  return report.status === "down" ? 503 : 200;
}

async function probe(check: () => Promise<void>, timeoutMs: number, what: string): Promise<CheckResult> {
  try {
    await withTimeout(Promise.resolve().then(check), timeoutMs, `${what} check`);
    return { status: "ok" };
  } catch (error) {
    return { status: "down", error: error instanceof Error ? error.message : String(error) };
  }
}

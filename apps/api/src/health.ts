import { withTimeout } from "./async.js";

export type CheckResult = { readonly status: "ok" } | { readonly status: "down"; readonly error: string };

export interface HealthReport {
  /** ok: everything up; degraded: cache down, reads served from the database; down: database down. */
  readonly status: "ok" | "degraded" | "down";
  readonly checks: { readonly database: CheckResult; readonly cache: CheckResult };
}

export interface HealthProbes {
  readonly database: () => Promise<void>;
  readonly cache: () => Promise<void>;
}

export interface HealthTimeouts {
  /** @default 2000 */
  readonly databaseMs?: number;
  /** @default 1000 */
  readonly cacheMs?: number;
}

/** Probes both dependencies in parallel, each bounded so the endpoint answers within its timeout. */
export async function checkHealth(
  probes: HealthProbes,
  timeouts: HealthTimeouts = {},
): Promise<HealthReport> {
  const [database, cache] = await Promise.all([
    probe(probes.database, timeouts.databaseMs ?? 2_000, "database"),
    probe(probes.cache, timeouts.cacheMs ?? 1_000, "cache"),
  ]);
  return { status: overallStatus(database, cache), checks: { database, cache } };
}

/** The API can serve without its cache but not without its database. */
export function overallStatus(database: CheckResult, cache: CheckResult): HealthReport["status"] {
  if (database.status === "down") return "down";
  return cache.status === "down" ? "degraded" : "ok";
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

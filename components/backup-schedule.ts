import { ComponentArgError } from "./naming";
import type { Healthcheck } from "./service-args";

/** How often a backup job runs and how many backups it keeps. */
export interface BackupSchedule {
  /** Minutes between backups, 5 to 10080 (a week). @default 1440 (daily) */
  readonly intervalMinutes?: number;
  /** Backups to keep. @default 7 */
  readonly retention?: number;
}

/** A week: the graph's export tool waits with a Node timer, which overflows past ~24.8 days. */
export const MAX_BACKUP_INTERVAL_MINUTES = 10_080;

/** Where a backup job records the time of its last success, in epoch seconds. */
export const LAST_SUCCESS_FILE = "/tmp/last-success";

/**
 * The schedule with defaults applied.
 *
 * @throws ComponentArgError naming `kind` and `name` when the interval is not an integer from 5 to
 *   10080 or the retention not an integer ≥ 1
 */
export function resolveSchedule(
  kind: string,
  name: string,
  schedule: BackupSchedule,
): { intervalMinutes: number; retention: number } {
  const intervalMinutes = schedule.intervalMinutes ?? 1440;
  const retention = schedule.retention ?? 7;
  if (
    !Number.isInteger(intervalMinutes) ||
    intervalMinutes < 5 ||
    intervalMinutes > MAX_BACKUP_INTERVAL_MINUTES
  ) {
    throw new ComponentArgError(
      kind,
      name,
      "intervalMinutes",
      `must be an integer from 5 to ${MAX_BACKUP_INTERVAL_MINUTES} (a week), got ${intervalMinutes}`,
    );
  }
  if (!Number.isInteger(retention) || retention < 1) {
    throw new ComponentArgError(kind, name, "retention", `must be an integer ≥ 1, got ${retention}`);
  }
  return { intervalMinutes, retention };
}

/**
 * Healthy while the last successful backup is younger than two intervals (plus five minutes), so a
 * failing backup shows as an unhealthy container rather than only in its logs.
 */
export function backupHealthcheck(intervalMinutes: number): Healthcheck {
  const maxAgeSeconds = intervalMinutes * 60 * 2 + 300;
  return {
    test: [
      "CMD-SHELL",
      `test -f ${LAST_SUCCESS_FILE} && [ $(( $(date -u +%s) - $(cat ${LAST_SUCCESS_FILE}) )) -lt ${maxAgeSeconds} ]`,
    ],
    interval: "30s",
    timeout: "5s",
    retries: 3,
    startPeriod: "60s",
  };
}

/** The environment every backup job reads its schedule from. */
export function scheduleEnv(
  backupDir: string,
  schedule: { intervalMinutes: number; retention: number },
): Record<string, string> {
  return {
    BACKUP_DIR: backupDir,
    BACKUP_INTERVAL_MINUTES: String(schedule.intervalMinutes),
    BACKUP_RETENTION: String(schedule.retention),
  };
}

/**
 * CIS Docker Benchmark v1.6 controls on how a container runs: limits, read-only root filesystem,
 * restart policy and healthcheck (research/reliability.md §1.1).
 */
import { CONTAINER, SERVICE, at, inspectEach, isUnknown, items, num, show, specPath, str } from "./inputs";
import type { Rule } from "./types";

export const memoryLimit: Rule = {
  id: "CIS-5.11",
  title: "Container memory usage is limited (CIS v1.5 5.10)",
  severity: "high",
  fix: "Set `memory` (MB) on containers and `taskSpec.resources.limits.memoryBytes` (bytes) on services.",
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], (r) => {
      const [field, unit] =
        r.type === SERVICE ? ["taskSpec.resources.limits.memoryBytes", "bytes"] : ["memory", "MB"];
      const memory = at(r.inputs, field);
      if (isUnknown(memory) || (num(memory) ?? 0) > 0) return [];
      const problem = memory === undefined ? "is not set" : `is ${show(memory)}`;
      return [`\`${field}\` ${problem}; set a memory limit in ${unit} (CIS 5.11)`];
    }),
};

export const cpuLimit: Rule = {
  id: "CIS-5.12",
  title: "Container CPU priority is set (CIS v1.5 5.11)",
  severity: "medium",
  fix: 'Set `cpus` (e.g. "0.5") or `cpuShares` on containers, `taskSpec.resources.limits.nanoCpus` on services.',
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], (r) => {
      if (r.type === SERVICE) {
        const nanoCpus = at(r.inputs, "taskSpec.resources.limits.nanoCpus");
        if (isUnknown(nanoCpus) || (num(nanoCpus) ?? 0) > 0) return [];
        const problem = nanoCpus === undefined ? "is not set" : `is ${show(nanoCpus)}`;
        return [
          `\`taskSpec.resources.limits.nanoCpus\` ${problem}; set a CPU limit (1 CPU = 1e9) (CIS 5.12)`,
        ];
      }
      const cpus = r.inputs["cpus"];
      const shares = r.inputs["cpuShares"];
      if (isUnknown(cpus) || isUnknown(shares)) return [];
      if (Number(str(cpus) ?? "0") > 0 || (num(shares) ?? 0) > 0) return [];
      return ['neither `cpus` nor `cpuShares` is set; set a CPU limit such as `cpus` "0.5" (CIS 5.12)'];
    }),
};

export const readOnlyRootFs: Rule = {
  id: "CIS-5.13",
  title: "The container's root filesystem is mounted read-only (CIS v1.5 5.12)",
  severity: "medium",
  fix: "Set `readOnly: true` (swarm: `containerSpec.readOnly`) and give writable paths a tmpfs or a volume.",
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], (r) => {
      const field = specPath(r, "readOnly");
      const readOnly = at(r.inputs, field);
      if (isUnknown(readOnly) || readOnly === true) return [];
      const problem = readOnly === undefined ? "is not set" : `is ${show(readOnly)}`;
      return [
        `\`${field}\` ${problem}; mount the root filesystem read-only and give writable paths a tmpfs or volume (CIS 5.13)`,
      ];
    }),
};

/** The most restarts CIS 5.15 allows after failures. */
export const MAX_RESTARTS = 5;

const SWARM_RESTART_CONDITIONS = new Set(["on-failure", "any"]);

export const restartPolicy: Rule = {
  id: "CIS-5.15",
  title: `The on-failure restart policy is capped at ${MAX_RESTARTS} (CIS v1.5 5.14)`,
  severity: "medium",
  fix: `Use restart "on-failure" with \`maxRetryCount\` ≤ ${MAX_RESTARTS} (or "unless-stopped"); swarm: restartPolicy condition "on-failure" with maxAttempts ≤ ${MAX_RESTARTS}.`,
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], (r) => {
      if (r.type === SERVICE) {
        const condition = at(r.inputs, "taskSpec.restartPolicy.condition");
        const attempts = at(r.inputs, "taskSpec.restartPolicy.maxAttempts");
        if (isUnknown(condition) || isUnknown(attempts)) return [];
        if (!SWARM_RESTART_CONDITIONS.has(str(condition) ?? "")) {
          const problem = condition === undefined ? "is not set" : `is ${show(condition)}`;
          return [
            `\`taskSpec.restartPolicy.condition\` ${problem}; use "on-failure" with \`maxAttempts\` ${MAX_RESTARTS} (CIS 5.15)`,
          ];
        }
        return (num(attempts) ?? 0) > MAX_RESTARTS
          ? [
              `\`taskSpec.restartPolicy.maxAttempts\` is ${show(attempts)}; set it to ${MAX_RESTARTS} or less (CIS 5.15)`,
            ]
          : [];
      }
      const restart = r.inputs["restart"];
      const retries = r.inputs["maxRetryCount"];
      if (isUnknown(restart) || isUnknown(retries)) return [];
      if (restart === undefined || restart === "no") {
        const problem = restart === undefined ? 'is not set (Docker\'s default is "no")' : 'is "no"';
        return [
          `\`restart\` ${problem}; use "on-failure" with \`maxRetryCount\` ${MAX_RESTARTS}, or "unless-stopped" (CIS 5.15)`,
        ];
      }
      return restart === "on-failure" && (num(retries) ?? 0) > MAX_RESTARTS
        ? [
            `\`maxRetryCount\` is ${show(retries)} with restart "on-failure"; set it to ${MAX_RESTARTS} or less (CIS 5.15)`,
          ]
        : [];
    }),
};

export const healthcheck: Rule = {
  id: "CIS-5.27",
  title: "Container health is checked at runtime (CIS v1.5 5.26)",
  severity: "medium",
  fix: 'Set `healthcheck.tests` (swarm: `containerSpec.healthcheck.tests`), e.g. ["CMD", "pg_isready"].',
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], (r) => {
      const field = specPath(r, "healthcheck");
      const check = at(r.inputs, field);
      const tests = at(check, "tests");
      if (isUnknown(check) || isUnknown(tests)) return [];
      const fix = "add a healthcheck with a test command (CIS 5.27)";
      if (check === undefined) return [`\`${field}\` is not set; ${fix}`];
      const list = items(tests);
      if (list.length === 0) return [`\`${field}.tests\` is empty; ${fix}`];
      return list.length === 1 && list[0] === "NONE"
        ? [`\`${field}.tests\` is ["NONE"], which disables the healthcheck; ${fix}`]
        : [];
    }),
};

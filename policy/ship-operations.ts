/** SHIP-7 and SHIP-8: logs cannot fill the disk, and swarm updates undo themselves when they fail. */
import { CONTAINER, SERVICE, at, inspectEach, isUnknown, show } from "./inputs";
import type { Rule } from "./types";

/** Log drivers that keep logs on the host, where rotation is needed. */
const ROTATING_DRIVERS = new Set(["json-file", "local"]);
const ROTATION_OPTIONS = ["max-size", "max-file"] as const;

export const logRotation: Rule = {
  id: "SHIP-7",
  title: "Container logs are rotated",
  severity: "medium",
  fix: 'Use log driver "json-file" or "local" with options max-size (e.g. "10m") and max-file (e.g. "3").',
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], (r) => {
      const [driverField, optionsField] =
        r.type === SERVICE
          ? ["taskSpec.logDriver.name", "taskSpec.logDriver.options"]
          : ["logDriver", "logOpts"];
      const driver = at(r.inputs, driverField);
      const options = at(r.inputs, optionsField);
      if (isUnknown(driver) || isUnknown(options)) return [];
      const use = 'use "json-file" or "local" with max-size and max-file (SHIP-7)';
      if (driver === undefined)
        return [`\`${driverField}\` is not set, so the daemon's default applies; ${use}`];
      if (typeof driver !== "string" || !ROTATING_DRIVERS.has(driver))
        return [`\`${driverField}\` is ${show(driver)}; ${use}`];
      const missing = ROTATION_OPTIONS.filter((key) => {
        const value = at(options, key);
        return !isUnknown(value) && (typeof value !== "string" || value.trim() === "");
      });
      return missing.length === 0
        ? []
        : [
            `\`${optionsField}\` lacks ${missing.join(" and ")}; set max-size (e.g. "10m") and max-file (e.g. "3") (SHIP-7)`,
          ];
    }),
};

export const swarmRollback: Rule = {
  id: "SHIP-8",
  title: "Swarm services roll back failed updates and converge",
  severity: "high",
  fix: 'Set `updateConfig.failureAction` "rollback", a `rollbackConfig` and a `convergeConfig` on every docker.Service.',
  check: (resources) =>
    inspectEach(resources, [SERVICE], (r) => {
      const texts: string[] = [];
      const action = at(r.inputs, "updateConfig.failureAction");
      if (!isUnknown(action) && action !== "rollback") {
        const problem =
          action === undefined
            ? 'is not set (Swarm\'s default "pause" leaves a half-updated service)'
            : `is ${show(action)}`;
        texts.push(`\`updateConfig.failureAction\` ${problem}; set it to "rollback" (SHIP-8)`);
      }
      if (r.inputs["rollbackConfig"] === undefined) {
        texts.push('`rollbackConfig` is not set; set one (e.g. parallelism 1, order "stop-first") (SHIP-8)');
      }
      if (r.inputs["convergeConfig"] === undefined) {
        texts.push(
          "`convergeConfig` is not set; set it so the deployment waits until the tasks run (SHIP-8)",
        );
      }
      return texts;
    }),
};

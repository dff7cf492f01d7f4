/**
 * CIS Docker Benchmark v1.6 controls on what a container may do to the host: user, privileged
 * mode, capabilities, security options, devices and cgroups (research/reliability.md §1.1).
 */
import { CONTAINER, SERVICE, at, cite, inspectEach, isUnknown, items, show, specPath, str } from "./inputs";
import type { RegisteredResource, Rule, Violation } from "./types";

const ROOT_USERS = new Set(["", "0", "root", "0:0"]);

export const nonRootUser: Rule = {
  id: "CIS-4.1",
  title: "Containers run as a non-root user (CIS v1.5 4.1)",
  severity: "high",
  fix: 'Set `user` (swarm: `containerSpec.user`) to a non-root uid:gid such as "10001:10001".',
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], (r) => {
      const field = specPath(r, "user");
      const user = at(r.inputs, field);
      if (isUnknown(user)) return [];
      const fix = 'run as a non-root user such as "10001:10001" (CIS 4.1)';
      if (user === undefined)
        return [`\`${field}\` is not set, so the image's user (often root) applies; ${fix}`];
      const name = str(user) ?? "";
      const root = ROOT_USERS.has(name.trim()) || name.startsWith("root:") || name.startsWith("0:");
      return root ? [`\`${field}\` is ${show(user)}; ${fix}`] : [];
    }),
};

export const appArmor: Rule = {
  id: "CIS-5.2",
  title: "AppArmor is not disabled (CIS v1.5 5.1)",
  severity: "high",
  fix: 'Remove "apparmor=unconfined" from `securityOpts` so the default AppArmor profile applies.',
  check: (resources) => unconfined(resources, "apparmor", "CIS-5.2", "the default AppArmor profile"),
};

export const seccomp: Rule = {
  id: "CIS-5.22",
  title: "The default seccomp profile is not disabled (CIS v1.5 5.21)",
  severity: "high",
  fix: 'Remove "seccomp=unconfined" from `securityOpts` so the default seccomp profile applies.',
  check: (resources) => unconfined(resources, "seccomp", "CIS-5.22", "the default seccomp profile"),
};

function unconfined(
  resources: readonly RegisteredResource[],
  option: string,
  id: string,
  profile: string,
): Violation[] {
  const bad = new Set([`${option}=unconfined`, `${option}:unconfined`]);
  return inspectEach(resources, [CONTAINER], (r) =>
    items(r.inputs["securityOpts"])
      .filter((opt) => bad.has(str(opt)?.trim() ?? ""))
      .map((opt) => `\`securityOpts\` contains ${show(opt)}; remove it so ${profile} applies (${cite(id)})`),
  );
}

/** Capabilities a service may add back after dropping ALL (what official database entrypoints need). */
export const ALLOWED_CAPABILITIES: readonly string[] = [
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "NET_BIND_SERVICE",
  "SETGID",
  "SETUID",
];

/** Docker accepts `CAP_CHOWN`, `chown` and `CHOWN` alike. */
function capability(name: string): string {
  return name.trim().toUpperCase().replace(/^CAP_/, "");
}

export const capabilities: Rule = {
  id: "CIS-5.4",
  title: "Linux kernel capabilities are restricted (CIS v1.5 5.3)",
  severity: "high",
  fix: `Drop ALL capabilities and add back only ones from the allowlist (${ALLOWED_CAPABILITIES.join(", ")}).`,
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], (r) => {
      const dropsField = r.type === SERVICE ? "taskSpec.containerSpec.capDrops" : "capabilities.drops";
      const addsField = r.type === SERVICE ? "taskSpec.containerSpec.capAdds" : "capabilities.adds";
      const texts: string[] = [];
      const drops = at(r.inputs, dropsField);
      const dropsAll = items(drops).some((cap) => capability(str(cap) ?? "") === "ALL");
      if (!isUnknown(drops) && !items(drops).some(isUnknown) && !dropsAll) {
        const problem =
          drops === undefined ? "is not set" : `is ${show(drops)}, which does not include "ALL"`;
        texts.push(
          `\`${dropsField}\` ${problem}; drop "ALL" and add back only what the process needs (CIS 5.4)`,
        );
      }
      for (const add of items(at(r.inputs, addsField))) {
        const name = str(add);
        if (name !== undefined && !ALLOWED_CAPABILITIES.includes(capability(name))) {
          texts.push(
            `\`${addsField}\` contains ${show(name)}, which is not in the allowlist (${ALLOWED_CAPABILITIES.join(", ")}); remove it (CIS 5.4)`,
          );
        }
      }
      return texts;
    }),
};

export const privileged: Rule = {
  id: "CIS-5.5",
  title: "Privileged containers are not used (CIS v1.5 5.4)",
  severity: "critical",
  fix: "Remove `privileged`; add the single capability the process needs instead.",
  check: (resources) =>
    inspectEach(resources, [CONTAINER], (r) =>
      r.inputs["privileged"] === true ? ["`privileged` is true; remove it (CIS 5.5)"] : [],
    ),
};

export const hostDevices: Rule = {
  id: "CIS-5.18",
  title: "Host devices are not exposed to containers (CIS v1.5 5.17)",
  severity: "medium",
  fix: "Remove `devices`, `gpus` and `deviceRequests`.",
  check: (resources) =>
    inspectEach(resources, [CONTAINER], (r) => {
      const texts = items(r.inputs["devices"]).map((device, i) => {
        const hostPath = at(device, "hostPath");
        const shown = isUnknown(hostPath) ? "a host device" : `host device ${show(hostPath)}`;
        return `\`devices[${i}]\` exposes ${shown}; remove it (CIS 5.18)`;
      });
      const gpus = r.inputs["gpus"];
      if (typeof gpus === "string" && gpus !== "")
        texts.push(`\`gpus\` is ${show(gpus)}; remove it (CIS 5.18)`);
      if (items(r.inputs["deviceRequests"]).length > 0)
        texts.push("`deviceRequests` is set; remove it (CIS 5.18)");
      return texts;
    }),
};

export const cgroupParent: Rule = {
  id: "CIS-5.25",
  title: "Containers use the default cgroup (CIS v1.5 5.24)",
  severity: "medium",
  fix: "Remove `cgroupParent` so Docker places the container in its own cgroup.",
  check: (resources) =>
    inspectEach(resources, [CONTAINER], (r) => {
      const parent = r.inputs["cgroupParent"];
      return typeof parent === "string" && parent !== ""
        ? [`\`cgroupParent\` is ${show(parent)}; remove it so Docker's default cgroup applies (CIS 5.25)`]
        : [];
    }),
};

const NO_NEW_PRIVILEGES = new Set(["no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"]);

export const noNewPrivileges: Rule = {
  id: "CIS-5.26",
  title: "Container processes cannot gain new privileges (CIS v1.5 5.25)",
  severity: "high",
  fix: 'Add "no-new-privileges:true" to `securityOpts` (swarm services: see the CIS-5.26-SWARM gap).',
  check: (resources) =>
    inspectEach(resources, [CONTAINER], (r) => {
      const opts = r.inputs["securityOpts"];
      if (isUnknown(opts) || items(opts).some(isUnknown)) return [];
      const set = items(opts).some((opt) => NO_NEW_PRIVILEGES.has(str(opt)?.trim() ?? ""));
      return set ? [] : ['`securityOpts` does not contain "no-new-privileges:true"; add it (CIS 5.26)'];
    }),
};

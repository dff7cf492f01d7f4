/**
 * CIS controls @pulumi/docker v5 cannot express (research/reliability.md §1.2). They are reported
 * with the resources they affect and how the gap is mitigated, and never fail a stack.
 */
import { CONTAINER, SERVICE, inspectEach } from "./inputs";
import type { Rule } from "./types";

export const pidsLimit: Rule = {
  id: "CIS-5.29",
  title: "The PIDs cgroup limit is used (CIS v1.5 5.28)",
  severity: "medium",
  fix: "Not expressible: the provider has no `pidsLimit` input on Container or Service.",
  gap:
    "@pulumi/docker v5 has no pidsLimit and Docker has no daemon-wide default (moby/moby#43056). " +
    "Cap tasks per host with systemd TasksMax on the docker and containerd slices, keep memory limits " +
    "(CIS 5.11) so a fork bomb stays inside its container's memory, and run docker-bench after deploys " +
    "to see the deviation.",
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], () => [
      "no PIDs limit (the provider has no `pidsLimit` input)",
    ]),
};

export const swarmSecurityOptions: Rule = {
  id: "CIS-5.26-SWARM",
  title: "Swarm tasks cannot gain new privileges (CIS 5.26 / v1.5 5.25, swarm target)",
  severity: "high",
  fix: 'Not expressible: docker.Service has no security options; set "no-new-privileges": true in each node\'s daemon.json.',
  appliesTo: ["swarm"],
  gap:
    'A swarm service cannot set security options (no-new-privileges, AppArmor or seccomp overrides). Set "no-new-privileges": true ' +
    "in /etc/docker/daemon.json on every swarm node and keep the daemon's default seccomp and AppArmor profiles; " +
    "docker-bench 2.x checks the daemon setting.",
  check: (resources) =>
    inspectEach(resources, [SERVICE], () => [
      "security options (no-new-privileges) cannot be set on a swarm service",
    ]),
};

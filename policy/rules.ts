/** Every rule, in a stable order: CIS controls by v1.6 number, then project rules. */
import {
  defaultBridge,
  dockerSocket,
  hostInterface,
  hostIpc,
  hostNetwork,
  hostPid,
  hostUserns,
  mountPropagation,
  privilegedPorts,
  sensitiveHostPaths,
} from "./cis-host";
import {
  appArmor,
  capabilities,
  cgroupParent,
  hostDevices,
  noNewPrivileges,
  nonRootUser,
  privileged,
  seccomp,
} from "./cis-privileges";
import { cpuLimit, healthcheck, memoryLimit, readOnlyRootFs, restartPolicy } from "./cis-runtime";
import { pidsLimit, swarmSecurityOptions } from "./gaps";
import { keptDataVolumes, internalDataNetworks, unpublishedDataPorts } from "./ship-data";
import { immutableImages } from "./ship-images";
import { logRotation, swarmRollback } from "./ship-operations";
import { noSecretsInEnv, secretsAsFiles } from "./ship-secrets";
import type { Rule } from "./types";

export const rules: readonly Rule[] = [
  nonRootUser,
  appArmor,
  capabilities,
  privileged,
  sensitiveHostPaths,
  privilegedPorts,
  hostNetwork,
  memoryLimit,
  cpuLimit,
  readOnlyRootFs,
  hostInterface,
  restartPolicy,
  hostPid,
  hostIpc,
  hostDevices,
  mountPropagation,
  seccomp,
  cgroupParent,
  noNewPrivileges,
  swarmSecurityOptions,
  healthcheck,
  pidsLimit,
  defaultBridge,
  hostUserns,
  dockerSocket,
  immutableImages,
  noSecretsInEnv,
  secretsAsFiles,
  internalDataNetworks,
  unpublishedDataPorts,
  keptDataVolumes,
  logRotation,
  swarmRollback,
];

/**
 * The Docker labels shipyard puts on what it creates, spelled once. Policy, review tooling, the
 * Compose export and the e2e suite read them back, so a rename here is a rename everywhere.
 */
export const LABEL = {
  /** The stack a container or service belongs to (`shipyard.stack=dev`). */
  stack: "shipyard.stack",
  /** The service a container or task runs (`api`). */
  service: "shipyard.service",
  /** What the service is for (`ServiceRole`): policy's data-tier and backup rules read it. */
  role: "shipyard.role",
  /** The replica index of a container (container target). */
  replica: "shipyard.replica",
  /** Whether the service holds state (replaced delete-first, pinned to the data node). */
  stateful: "shipyard.stateful",
  /** On volumes: whether it holds data that must be protected and backed up. */
  data: "shipyard.data",
  /** On backup jobs: the volumes they back up, comma-separated. */
  backupOf: "shipyard.backup-of",
  /** On file carriers and their volumes: the service whose files they carry. */
  filesFor: "shipyard.files-for",
  /** On networks: the component name. */
  network: "shipyard.network",
  /** On networks: the tier (`edge`, `app`, `data`). */
  tier: "shipyard.tier",
  /** On volumes: the component name. */
  volume: "shipyard.volume",
  /** On Swarm secrets: the component name. */
  secret: "shipyard.secret",
} as const;

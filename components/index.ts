/**
 * shipyard's components, as a library: import from here, never from the files behind it.
 *
 * Build blocks (`Network`, `Volume`, `Secret`, `Image`, `Service`) and presets built on them
 * (`PostgresDatabase`, `RedisCache`, `Neo4jGraph`, `Prometheus`, `PostgresBackup`,
 * `Neo4jBackup`), each secure by default. Services are wired by object: a consumer lists what it
 * connects to (`connections: [db, api.endpoint(8080, { env: "API_UPSTREAM" })]`) and joins the
 * right network, receives the env and secret files, and starts once those are healthy.
 *
 * @packageDocumentation
 */

export { Network, type NetworkArgs, type NetworkTier } from "./network";
export { Volume, type VolumeArgs } from "./volume";
export { Secret, type SecretArgs } from "./secret";
export { Image, type ImageArgs, type ImageBuild } from "./image";
export type { Pinning } from "./image-ref";
export { FILES_CARRIER_BUILD } from "./file-carrier";
export {
  Service,
  type BindMount,
  type ConfigFile,
  type Connectable,
  type Connection,
  type Deviation,
  type EndpointOptions,
  type Healthcheck,
  type NetworkAttachment,
  type PortMapping,
  type RestartPolicy,
  type SecretFile,
  type ServiceArgs,
  type ServiceRef,
  type ServiceRole,
  type VolumeMount,
} from "./service";
export type { Target } from "./target";
export type { PresetArgs } from "./preset";
export { PostgresDatabase, type PostgresDatabaseArgs } from "./postgres-database";
export { RedisCache, type RedisCacheArgs } from "./redis-cache";
export { Neo4jGraph, type Neo4jGraphArgs } from "./neo4j-graph";
export { Prometheus, type PrometheusArgs, type ScrapeTarget } from "./prometheus";
export type { BackupSchedule } from "./backup-schedule";
export { PostgresBackup, type PostgresBackupArgs } from "./postgres-backup";
export { Neo4jBackup, type Neo4jBackupArgs } from "./neo4j-backup";
export { ComponentArgError } from "./naming";

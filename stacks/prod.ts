import type { ShipyardConfig } from "./settings";
import { buildProfile, catalogFor, type EnvironmentDefaults, type Profile } from "./profile";

/**
 * prod: on Docker Swarm by default, every image pinned by digest (the app images promoted from dev through config), three API
 * replicas, only the web published, data volumes protected and retained, backups on.
 */
export const PROD: EnvironmentDefaults = {
  // Swarm gives prod rolling updates with rollback, native secrets and more than one node;
  // `shipyard:target: container` runs the same services on one plain Docker host.
  target: "swarm",
  pinning: "digest",
  retainData: true,
  restart: "unless-stopped",
  // Neo4j Community has no online backup; graph-backup exports it through Bolt instead.
  features: { graph: true, monitoring: true, backups: true },
  images: {
    // Promotion writes these (npm run promote -- --from dev --to prod).
    api: undefined,
    web: undefined,
    postgres: undefined,
    redis: undefined,
    graph: undefined,
    monitoring: undefined,
  },
  services: {
    api: { replicas: 3, memory: "256m", cpus: "0.5", hostPorts: [] },
    web: { replicas: 1, memory: "64m", cpus: "0.25", hostPorts: [] },
    postgres: { replicas: 1, memory: "1g", cpus: "1", hostPorts: [] },
    redis: { replicas: 1, memory: "256m", cpus: "0.5", hostPorts: [] },
    graph: { replicas: 1, memory: "2g", cpus: "1", hostPorts: [] },
    monitoring: { replicas: 1, memory: "512m", cpus: "0.5", hostPorts: [] },
    backup: { replicas: 1, memory: "128m", cpus: "0.25", hostPorts: [] },
    "graph-backup": { replicas: 1, memory: "256m", cpus: "0.25", hostPorts: [] },
  },
};

export const prodCatalog = catalogFor(PROD);

export function prodProfile(config: ShipyardConfig, stack: string): Profile {
  return buildProfile(PROD, config, stack);
}

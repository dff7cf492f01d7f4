import * as path from "node:path";
import { sourceDir } from "../components/source-dir";
import type { ShipyardConfig } from "./settings";
import { buildProfile, catalogFor, type EnvironmentDefaults, type Profile } from "./profile";

const ROOT = path.resolve(sourceDir(__dirname), "..");

/**
 * dev: one host, images built from `apps/`, the API's source bind-mounted with a watcher for hot
 * reload (`shipyard:hotReload: false` runs the runtime image instead), its debugger and the database
 * published on the host's loopback only, one replica each, volumes disposable.
 */
export const DEV: EnvironmentDefaults = {
  target: "container",
  // Third-party images may float in dev; `latest` is still visible in review.
  pinning: "any",
  retainData: false,
  restart: "unless-stopped",
  features: { graph: true, monitoring: true, backups: false },
  images: {
    api: { build: { context: path.join(ROOT, "apps/api"), target: "runtime", repository: "shipyard-api" } },
    web: { build: { context: path.join(ROOT, "apps/web"), target: "runtime", repository: "shipyard-web" } },
    postgres: { ref: "postgres:16.15-alpine" },
    redis: { ref: "redis:7.4.11-alpine" },
    graph: { ref: "neo4j:5.26.30-community" },
    monitoring: { ref: "prom/prometheus:v3.5.0" },
  },
  services: {
    api: { replicas: 1, memory: "512m", cpus: "1", hostPorts: [{ host: 9229, container: 9229 }] },
    web: { replicas: 1, memory: "64m", cpus: "0.25", hostPorts: [] },
    postgres: { replicas: 1, memory: "512m", cpus: "1", hostPorts: [{ host: 5432, container: 5432 }] },
    redis: { replicas: 1, memory: "128m", cpus: "0.25", hostPorts: [] },
    graph: { replicas: 1, memory: "1g", cpus: "1", hostPorts: [] },
    monitoring: { replicas: 1, memory: "256m", cpus: "0.5", hostPorts: [] },
    backup: { replicas: 1, memory: "128m", cpus: "0.25", hostPorts: [] },
    "graph-backup": { replicas: 1, memory: "256m", cpus: "0.25", hostPorts: [] },
  },
  hotReload: {
    buildTarget: "dev",
    source: path.join(ROOT, "apps/api/src"),
    target: "/app/src",
    // The dev image's watcher (apps/api/Dockerfile, target dev) with the inspector open inside the
    // container; the host sees it on 127.0.0.1:9229 only.
    command: [
      "node_modules/.bin/tsx",
      "watch",
      "--clear-screen=false",
      "--inspect=0.0.0.0:9229",
      "src/server.ts",
    ],
  },
};

export const devCatalog = catalogFor(DEV);

export function devProfile(config: ShipyardConfig, stack: string): Profile {
  return buildProfile(DEV, config, stack);
}

import type { Pinning } from "../components/image-ref";
import type { RestartPolicy } from "../components/service";
import type { Target } from "../components/target";
import { IMAGE_KEYS, isEnabled, SERVICE_KEYS, type Feature, type ImageKey, type ServiceKey } from "./catalog";
import { PROJECT, type ShipyardConfig } from "./settings";
import { LABEL } from "../components/labels";

export { IMAGE_KEYS, IMAGE_OF, imageKeyOf, SERVICE_KEYS, type ImageKey, type ServiceKey } from "./catalog";

/** Where a service's image comes from: built from `apps/` (dev) or a pinned reference. */
export type ImageSource =
  | { readonly build: { readonly context: string; readonly target: string; readonly repository: string } }
  | { readonly ref: string };

export interface HostPort {
  readonly host: number;
  readonly container: number;
}

export interface ServiceSettings {
  readonly replicas: number;
  readonly memory: string;
  readonly cpus: string;
  readonly hostPorts: readonly HostPort[];
  /** Extra plain env from config. */
  readonly env: Readonly<Record<string, string>>;
  /** Extra dependencies from config, on top of the catalog's (stacks/catalog.ts). */
  readonly dependsOn: readonly ServiceKey[];
}

/**
 * Everything that differs between environments, as data. `stacks/dev.ts` and `stacks/prod.ts`
 * build one from the validated config; `stacks/system.ts` turns it into components.
 */
export interface Profile {
  readonly environment: string;
  readonly target: Target;
  readonly pinning: Pinning;
  /** Prefix of Docker network and volume names. */
  readonly namePrefix: string;
  /** The OS/architecture images are built for: the Docker host's. */
  readonly platform: string;
  /** Host address published ports bind to. */
  readonly publishAddress: string;
  /** Data volumes are protected and kept on destroy. */
  readonly retainData: boolean;
  readonly restart: RestartPolicy;
  readonly features: { readonly graph: boolean; readonly monitoring: boolean; readonly backups: boolean };
  /** Images of the services that run (a disabled service's may be missing in prod). */
  readonly images: Readonly<Partial<Record<ImageKey, ImageSource>>>;
  readonly services: Readonly<Record<ServiceKey, ServiceSettings>>;
  /**
   * Dev hot reload: the API runs an image built from `buildTarget` with its source bind-mounted and
   * a watcher command. The promotable image (the runtime build) is still built and exported, so
   * what prod receives is the image CI and a hot-reload-off dev run exercise.
   */
  readonly hotReload?: {
    readonly source: string;
    readonly target: string;
    readonly command: readonly string[];
    readonly buildTarget: string;
  };
  readonly backup: { readonly intervalMinutes: number; readonly retention: number };
  /** Labels on every container and service, e.g. `shipyard.stack`. */
  readonly labels: Readonly<Record<string, string>>;
}

/** One environment's defaults, before stack config is applied. */
export interface EnvironmentDefaults {
  readonly target: Target;
  readonly pinning: Pinning;
  readonly retainData: boolean;
  readonly restart: RestartPolicy;
  readonly features: Profile["features"];
  /** Image per service; undefined where config must supply it (prod's promoted app images). */
  readonly images: Readonly<Record<ImageKey, ImageSource | undefined>>;
  readonly services: Readonly<Record<ServiceKey, Omit<ServiceSettings, "env" | "dependsOn">>>;
  readonly hotReload?: Profile["hotReload"];
}

/** The web's port inside its container (nginx-unprivileged listens on 8080). */
export const WEB_CONTAINER_PORT = 8080;

/**
 * Applies validated stack config to an environment's defaults.
 *
 * @throws when an image the environment needs from config is missing (config validation reports
 *   this first; the throw guards direct callers)
 */
export function buildProfile(defaults: EnvironmentDefaults, config: ShipyardConfig, stack: string): Profile {
  const features = {
    graph: config.features.graph ?? defaults.features.graph,
    monitoring: config.features.monitoring ?? defaults.features.monitoring,
    backups: config.features.backups ?? defaults.features.backups,
  };
  const images: Partial<Record<ImageKey, ImageSource>> = {};
  for (const key of IMAGE_KEYS) {
    const ref = config.images[key];
    const image = ref !== undefined ? { ref } : defaults.images[key];
    if (image !== undefined) images[key] = image;
    // A disabled service's image is not needed (prod without the graph need not pin neo4j).
    else if (isEnabled(key, features)) throw new Error(`${PROJECT}:images.${key} is not set`);
  }
  const services = {} as Record<ServiceKey, ServiceSettings>;
  for (const key of SERVICE_KEYS) {
    const base = defaults.services[key];
    const override = config.services[key];
    const hostPorts = override?.ports ?? base.hostPorts;
    services[key] = {
      replicas: override?.replicas ?? base.replicas,
      memory: override?.memory ?? base.memory,
      cpus: override?.cpus ?? base.cpus,
      hostPorts:
        key === "web" ? [{ host: config.webPort, container: WEB_CONTAINER_PORT }, ...hostPorts] : hostPorts,
      env: override?.env ?? {},
      dependsOn: (override?.dependsOn ?? []) as ServiceKey[],
    };
  }
  return {
    environment: config.environment,
    target: config.target ?? defaults.target,
    pinning: defaults.pinning,
    namePrefix: config.namePrefix,
    platform: config.platform,
    publishAddress: config.publishAddress,
    retainData: defaults.retainData,
    restart: defaults.restart,
    features,
    images,
    services,
    hotReload: config.hotReload === false ? undefined : defaults.hotReload,
    backup: config.backup,
    labels: { [LABEL.stack]: stack },
  };
}

/** What config validation checks against in one environment: its defaults, as data. */
export interface Catalog {
  /** Every service with its default replicas and host ports. */
  readonly services: Readonly<
    Record<ServiceKey, { readonly replicas: number; readonly hostPorts: readonly HostPort[] }>
  >;
  /** How strictly images must be pinned in this environment. */
  readonly pinning: Pinning;
  /** Services whose image this environment takes only from config (prod's promoted images). */
  readonly requiredImages: readonly ImageKey[];
  /** The target when config names none. */
  readonly defaultTarget: Target;
  /** Whether the environment can hot-reload the API. */
  readonly hotReload: boolean;
  /** The features on when config says nothing. */
  readonly features: Readonly<Record<Feature, boolean>>;
  /** Whether data volumes are protected and retained: a production environment. */
  readonly retainData: boolean;
}

/** The catalog config validation checks against, from an environment's defaults. */
export function catalogFor(defaults: EnvironmentDefaults): Catalog {
  const services = {} as Record<ServiceKey, { replicas: number; hostPorts: readonly HostPort[] }>;
  for (const key of SERVICE_KEYS)
    services[key] = {
      replicas: defaults.services[key].replicas,
      hostPorts: defaults.services[key].hostPorts,
    };
  return {
    services,
    pinning: defaults.pinning,
    requiredImages: IMAGE_KEYS.filter((key) => defaults.images[key] === undefined),
    defaultTarget: defaults.target,
    hotReload: defaults.hotReload !== undefined,
    features: defaults.features,
    retainData: defaults.retainData,
  };
}

import { devCatalog, devProfile } from "./dev";
import type { Catalog, Profile } from "./profile";
import { prodCatalog, prodProfile } from "./prod";
import type { Environment, ShipyardConfig } from "./settings";

/** Each environment's catalog (what config is checked against) and profile (what the system builds). */
const ENVIRONMENTS: Readonly<
  Record<Environment, { catalog: Catalog; profile: (config: ShipyardConfig, stack: string) => Profile }>
> = {
  dev: { catalog: devCatalog, profile: devProfile },
  prod: { catalog: prodCatalog, profile: prodProfile },
};

/** What config validation checks an environment's stack config against. */
export function catalogOf(environment: Environment): Catalog {
  return ENVIRONMENTS[environment].catalog;
}

/** The environment profile for validated stack config. */
export function profileOf(config: ShipyardConfig, stack: string): Profile {
  return ENVIRONMENTS[config.environment].profile(config, stack);
}

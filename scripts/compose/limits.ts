/**
 * What a stack does that a Compose file cannot say, one line each for the generated file's header.
 * README ("Run it without Pulumi") gives each with its source; checked against Docker Compose
 * v2.40 (pkg/compose/create.go, secrets.go, convergence.go) and the Compose file reference.
 */
export const COMPOSE_LIMITS: readonly string[] = [
  "Secret files' owner and mode: shipyard gives each mode 0400, owned by the service's user; Compose" +
    " outside Swarm bind-mounts the host file with the host's owner and mode.",
  "protect and retainOnDelete: `docker compose down -v` deletes the data volumes like any other.",
  "Health-gated, one-at-a-time replacement: on a change `docker compose up` stops and removes every" +
    " old container of the service before starting the new ones, and keeps none serving if they fail.",
  "Health gates: a dependent starts when Docker reports its dependency healthy, at the earliest one" +
    " healthcheck interval after start; shipyard starts it at the dependency's first passing check.",
  "The policy pack and `npm run audit`: nothing checks an edit of this file.",
  "Secret rotation: the files are read where they lie; after changing one, recreate its services" +
    " (`docker compose up -d --force-recreate <service>`).",
  "The build platform (`shipyard:platform`): Compose builds for the engine it runs on.",
];

import * as docker from "@pulumi/docker";

/**
 * The Docker host the stack reconciles against, named explicitly per stack (`shipyard:dockerHost`)
 * rather than taken from an ambient DOCKER_HOST, so a stack never lands on the wrong engine.
 */
export function dockerProvider(host: string): docker.Provider {
  return new docker.Provider("docker", { host });
}

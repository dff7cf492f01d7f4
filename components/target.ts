/**
 * Where services run. `container`: docker.Container on one host (bridge networks, files in volumes
 * a file carrier filled). `swarm`: docker.Service on a Swarm (overlay networks, docker.Secret, rolling updates).
 */
export type Target = "container" | "swarm";

export const TARGETS: readonly Target[] = ["container", "swarm"];

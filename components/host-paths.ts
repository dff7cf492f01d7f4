/**
 * Host paths a container must never bind: what CIS Docker Benchmark 5.6 lists, and the Docker socket
 * (5.32). Shared by Service validation and the policy rules, so both refuse the same paths.
 */

/** The host directories CIS 5.6 lists; binding one of them or anything below it exposes the host. */
export const SENSITIVE_HOST_DIRS: readonly string[] = [
  "/",
  "/boot",
  "/dev",
  "/etc",
  "/lib",
  "/proc",
  "/sys",
  "/usr",
];

/** Where the Docker daemon's socket lives; binding it, even read-only, grants root on the host. */
export const DOCKER_SOCKETS: readonly string[] = ["/var/run/docker.sock", "/run/docker.sock"];

/** `//etc/` → `/etc`: Docker resolves these to the same host directory. */
export function normaliseHostPath(path: string): string {
  const collapsed = path.trim().replace(/\/+/g, "/");
  return collapsed.length > 1 ? collapsed.replace(/\/$/, "") : collapsed;
}

/** True for a CIS 5.6 directory or anything below it. */
export function isSensitiveHostDir(path: string): boolean {
  const p = normaliseHostPath(path);
  return SENSITIVE_HOST_DIRS.some((dir) => p === dir || (dir !== "/" && p.startsWith(`${dir}/`)));
}

/** True for the Docker socket itself, a directory that contains it (`/var/run`), or any `docker.sock`. */
export function exposesDockerSocket(path: string): boolean {
  const p = normaliseHostPath(path);
  return p.endsWith("docker.sock") || DOCKER_SOCKETS.some((socket) => socket.startsWith(`${p}/`));
}

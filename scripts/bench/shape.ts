/**
 * The generated system both bench programs register: the same services, in the same order, with
 * the same data and dependencies. Pure data, so neither program depends on the other.
 */

/** The one app image every service runs, pinned by digest. */
export const APP_IMAGE = `app@sha256:${"0".repeat(64)}`;

export interface BenchService {
  readonly name: string;
  /** Holds data on a volume and reads a generated password, like a database. */
  readonly stateful: boolean;
  readonly replicas: number;
  /** The service it starts after (health-gated). */
  readonly dependsOn?: string;
}

/**
 * `size` services: every fifth stateful with one replica, the others stateless with two; each
 * depends on the one before it, except the first of every ten.
 */
export function benchServices(size: number): BenchService[] {
  return Array.from({ length: size }, (_, i) => ({
    name: `svc-${i}`,
    stateful: i % 5 === 0,
    replicas: i % 5 === 0 ? 1 : 2,
    ...(i % 10 !== 0 && { dependsOn: `svc-${i - 1}` }),
  }));
}

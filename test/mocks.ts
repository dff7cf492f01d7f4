import { expect } from "vitest";
import {
  mockId,
  mockImageId,
  mockPassword,
  promiseOf,
  registered,
  resetRegistrations,
  settle,
  unwrapSecret,
  type Registration,
} from "../infra/offline";

/**
 * The shared test harness. The mocks themselves are installed by test/setup.ts (before any program
 * module loads); this module reads what was registered.
 */
export { mockImageId, mockPassword, promiseOf, unwrapSecret, settle, resetRegistrations };
export type { Registration };

export const CONTAINER = "docker:index/container:Container";
export const NETWORK = "docker:index/network:Network";
export const VOLUME = "docker:index/volume:Volume";
export const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
export const BUILT_IMAGE = "docker:index/image:Image";
export const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
export const RANDOM_ID = "random:index/randomId:RandomId";
export const DOCKER_SECRET = "docker:index/secret:Secret";
export const SWARM_SERVICE = "docker:index/service:Service";

/**
 * `beforeEach(freshRegistrations)`: registrations a previous test left pending land first, then the
 * record is cleared, so each test sees only its own resources.
 */
export async function freshRegistrations(): Promise<void> {
  await settle();
  resetRegistrations();
}

/** All registrations of a type, in registration order. */
export function ofType(type: string): Registration[] {
  return registered().filter((r) => r.type === type);
}

/** The one registration of `type` named `name`; fails the test unless exactly one exists. */
export function child(type: string, name: string): Registration {
  const matches = registered().filter((r) => r.type === type && r.name === name);
  expect(
    matches.map((m) => `${m.type}::${m.name}`),
    `registrations of ${type}::${name}`,
  ).toEqual([`${type}::${name}`]);
  return matches[0]!;
}

/** The carrier container that uploads a service's secret and config files (file-carrier.ts). */
export function carrierOf(service: string): Registration {
  return child(CONTAINER, `${service}-files`);
}

/**
 * The `volumes` a service's containers get for their secret and config files: every volume of
 * the service's carrier, read-only (`<carrier id>:ro`).
 */
export function filesVolumes(service: string): Record<string, unknown>[] {
  return [{ fromContainer: `${mockId(`${service}-files`)}:ro` }];
}

/** The `KEY=value` env list of a container as a map, with its secret flag. */
export function envOf(container: Registration): { secret: boolean; env: Record<string, string> } {
  const { secret, value } = unwrapSecret(container.inputs.envs);
  const env: Record<string, string> = {};
  for (const entry of (value as string[] | undefined) ?? []) {
    const eq = entry.indexOf("=");
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { secret, env };
}

/** Labels `[{label, value}]` as a map. */
export function labelsOf(registration: Registration): Record<string, string> {
  const list =
    (unwrapSecret(registration.inputs.labels).value as { label: string; value: string }[] | undefined) ?? [];
  return Object.fromEntries(list.map((l) => [l.label, l.value]));
}

/** Expects `fn` to throw exactly `message`. */
export function expectThrowsExactly(fn: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "expected an error").toBeInstanceOf(Error);
  expect((thrown as Error).message).toBe(message);
}

import { isIP } from "node:net";
import type { Target } from "./target";
import { parseMemory } from "./units";

/**
 * The rules a service's settings must follow, as pure functions that return every problem instead
 * of throwing. Service and the presets throw the first one (eager checks for direct library use);
 * config validation (infra/config.ts) reports all of them with their config path. One copy of each
 * rule, so the two cannot drift.
 *
 * A problem reads after the name of what it is about: `must be …, got …; <fix>`.
 */

/** One problem with a part of a setting (`host`, `container`, an env key; "" for the setting itself). */
export interface Problem {
  readonly part: string;
  readonly problem: string;
}

/**
 * The most replicas of one service, per target, and why. Each container replica is registered
 * one after the other (each waits for the previous): a real evaluation of 20000 ran for minutes
 * and reached 3.8 GB.
 */
export const MAX_REPLICAS: Readonly<Record<Target, { readonly max: number; readonly reason: string }>> = {
  container: {
    max: 10,
    reason: "one host starts container replicas one after the other; use target swarm for more",
  },
  swarm: {
    max: 100,
    reason: "more tasks than a Swarm of a few nodes can place; raise MAX_REPLICAS if yours is that big",
  },
};

/**
 * Problems with a replica count.
 *
 * @param oneReplica why the service must run exactly one replica (a stateful service), if it must
 */
export function replicaProblems(replicas: number, target: Target, oneReplica?: string): string[] {
  if (!Number.isInteger(replicas) || replicas < 1) return [`must be an integer ≥ 1, got ${replicas}`];
  const bound = MAX_REPLICAS[target];
  if (replicas > bound.max)
    return [`must be at most ${bound.max} on the ${target} target (${bound.reason}), got ${replicas}`];
  if (oneReplica !== undefined && replicas > 1)
    return [`must be 1 for a stateful service (${oneReplica}), got ${replicas}`];
  return [];
}

/**
 * Problems with a memory limit: its format, Docker's floor, and the image's own minimum.
 *
 * @param what what needs the minimum (`at least "512m" for heap and page cache`)
 */
export function memoryProblems(value: string, minimum?: string, what = "its image to start"): string[] {
  const parsed = parseMemory(value);
  if ("error" in parsed) return [parsed.error];
  const floor = minimum === undefined ? undefined : parseMemory(minimum);
  if (floor !== undefined && "bytes" in floor && parsed.bytes < floor.bytes)
    return [`must be at least "${minimum}" for ${what}, got ${JSON.stringify(value)}`];
  return [];
}

const PORT_RANGE = (value: unknown) => `must be an integer from 1 to 65535, got ${JSON.stringify(value)}`;

/**
 * Problems with one published port. On the container target replica `i` binds `host + i` (as
 * Compose does with a host port range), so the range must fit too.
 */
export function portProblems(
  port: { readonly host?: number; readonly container?: number },
  replicas = 1,
  target: Target = "container",
): Problem[] {
  const problems: Problem[] = [];
  const { host, container } = port;
  if (container === undefined)
    problems.push({
      part: "container",
      problem: "is required: the port the process listens on inside the container",
    });
  else if (!Number.isInteger(container) || container < 1 || container > 65535)
    problems.push({ part: "container", problem: PORT_RANGE(container) });
  if (host === undefined)
    problems.push({ part: "host", problem: "is required: the port to publish on the host" });
  else if (!Number.isInteger(host) || host < 1 || host > 65535)
    problems.push({ part: "host", problem: PORT_RANGE(host) });
  else if (host < 1025)
    problems.push({
      part: "host",
      problem: `must be 1025 or above (CIS 5.8: no privileged host ports), got ${host}; publish a high port and let a proxy or firewall map it`,
    });
  else if (target === "container" && host + replicas - 1 > 65535)
    problems.push({
      part: "host",
      problem: `with ${replicas} replicas binds ${host}-${host + replicas - 1} (one host port per replica on the container target), past 65535; publish a lower port`,
    });
  return problems;
}

/** The host ports a published port binds: one per replica on the container target, one on swarm. */
export function boundHostPorts(host: number, replicas: number, target: Target): number[] {
  const count = target === "container" ? replicas : 1;
  return Array.from({ length: count }, (_, i) => host + i);
}

/** Problems with the host address published ports bind to. */
export function hostAddressProblems(address: string, target: Target = "container"): string[] {
  if (isIP(address) === 0) return [`must be an IP address, got ${JSON.stringify(address)}`];
  if (target === "container" && (address === "0.0.0.0" || address === "::"))
    return [
      `must name one interface (CIS 5.14), got ${JSON.stringify(address)}; use the host's public address or 127.0.0.1`,
    ];
  return [];
}

/** `host:port` for a URL: an IPv6 address goes in brackets (`[::1]:8080`). */
export function hostPort(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_ENV_KEY = /(PASSWORD|PASSWD|SECRET|TOKEN|PASSPHRASE|CREDENTIAL|API_KEY|PRIVATE_KEY)/;

/** True when an env key names a secret value (a `*_FILE` pointer is fine). */
export function isSecretEnvKey(key: string): boolean {
  return SECRET_ENV_KEY.test(key.toUpperCase()) && !key.toUpperCase().endsWith("_FILE");
}

/** Shapes of credentials that must not travel in plain env, with what each looks like. */
const CREDENTIAL_SHAPES: readonly { readonly pattern: RegExp; readonly kind: string }[] = [
  { pattern: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, kind: "a URL with a password" },
  {
    pattern: /(^|[\s;&?,])(password|passwd|pwd|secret|token|api[_-]?key)\s*=\s*[^\s;&,]+/i,
    kind: "a password= setting",
  },
  { pattern: /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/, kind: "a GitHub token" },
  { pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, kind: "an AWS access key" },
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/, kind: "a Slack token" },
  { pattern: /\b[sr]k_live_[A-Za-z0-9]{10,}/, kind: "a Stripe key" },
  { pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, kind: "a JSON Web Token" },
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, kind: "a private key" },
];

/** What a plain env value looks like if it carries a credential, or undefined. */
export function credentialIn(value: string): string | undefined {
  return CREDENTIAL_SHAPES.find((s) => s.pattern.test(value))?.kind;
}

/** The fix for a secret in env, everywhere it is refused. */
export const SECRET_FILE_FIX =
  'secrets never go in env or plain config: deliver it as a secret file read through a *_FILE variable (README, "Secrets")';

/** What a service declares about its env: keys it sets itself, and keys or values that weaken it. */
export interface EnvRules {
  /** Keys the component sets and its wiring relies on. */
  readonly own?: readonly string[];
  /** Keys that would weaken the service, with what each would turn off. */
  readonly weakening?: Readonly<Record<string, string>>;
  /** Values that would weaken the service whatever the key. */
  readonly weakeningValues?: readonly { readonly pattern: RegExp; readonly reason: string }[];
  /** How to deliver a secret instead, for a key or value that holds one. @default {@link SECRET_FILE_FIX} */
  readonly secretFix?: (key: string) => string;
}

/**
 * Problems with plain env set from outside a component, one per key (each `part` is the key).
 * Values that are not plain strings (Outputs) are checked by key only.
 *
 * @param owner the component's kind, named when a key it sets itself is refused
 */
export function envProblems(
  env: Readonly<Record<string, unknown>>,
  rules: EnvRules = {},
  owner = "the service",
): Problem[] {
  const problems: Problem[] = [];
  const fix = rules.secretFix ?? (() => SECRET_FILE_FIX);
  for (const [key, value] of Object.entries(env)) {
    const add = (problem: string) => problems.push({ part: key, problem });
    if (!ENV_KEY.test(key)) {
      add(
        `is not a valid variable name (letters, digits and '_', not starting with a digit), got ${JSON.stringify(key)}; rename it`,
      );
      continue;
    }
    if (isSecretEnvKey(key)) {
      add(`looks like a secret; ${fix(key)}`);
      continue;
    }
    if (rules.own?.includes(key)) {
      add(`is set by ${owner} itself and its wiring relies on it; remove it`);
      continue;
    }
    const weakens = rules.weakening?.[key];
    if (weakens !== undefined) {
      add(`would weaken the service: ${weakens}; remove it`);
      continue;
    }
    if (typeof value !== "string") continue;
    const credential = credentialIn(value);
    if (credential !== undefined) {
      add(`holds what looks like ${credential} (value not shown); ${fix(key)}`);
      continue;
    }
    const weakValue = rules.weakeningValues?.find((w) => w.pattern.test(value));
    if (weakValue !== undefined) add(`would weaken the service: ${weakValue.reason}; remove it`);
  }
  return problems;
}

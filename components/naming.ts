/** RFC 1123 DNS label: what Docker accepts for container names, network aliases and swarm services. */
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** True when `name` can be a container name, a network alias and a swarm service name. */
export function isDnsLabel(name: string): boolean {
  return DNS_LABEL.test(name);
}

/** The error text for a name that is not a DNS label, shared by components and config validation. */
export function dnsLabelError(name: string): string {
  return `must be a DNS label (lower-case letters, digits and '-', 1-63 characters, no leading or trailing '-'), got ${JSON.stringify(name)}`;
}

/**
 * Raised for an argument a component cannot accept. The message names the component, the field,
 * the value received and the fix (STYLE.md point 5).
 *
 * @example
 * try {
 *   new Service("api", { ...args, replicas: 0 });
 * } catch (error) {
 *   if (error instanceof ComponentArgError) console.error(error.message);
 *   // Service "api": `replicas` must be an integer ≥ 1, got 0
 * }
 */
export class ComponentArgError extends Error {
  constructor(kind: string, component: string, field: string, problem: string) {
    super(`${kind} "${component}": \`${field}\` ${problem}`);
    this.name = "ComponentArgError";
  }
}

/** Docker labels as the provider wants them, sorted so the input is stable. */
export function toLabelList(labels: Record<string, string>): { label: string; value: string }[] {
  return Object.keys(labels)
    .sort()
    .map((label) => ({ label, value: labels[label]! }));
}

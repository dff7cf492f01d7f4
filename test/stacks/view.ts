import { unwrapSecret, type Registration } from "../mocks";

/** The security-relevant shape of one container, in plain data that reads well in a diff. */
export interface ContainerView {
  user: unknown;
  readOnly: unknown;
  capDrop: unknown;
  capAdd: unknown;
  securityOpts: unknown;
  memoryMb: unknown;
  cpus: unknown;
  restart: string;
  healthcheck: unknown;
  wait: unknown;
  networks: string[];
  ports: string[];
  secretFiles: string[];
  mounts: string[];
  logging: unknown;
}

type Inputs = Record<string, unknown>;

/**
 * The uploads that reach a container: its own, and those of its service's file carrier
 * (`<service>-files`, components/file-carrier.ts), whose volumes it mounts.
 */
function uploadsOf(
  container: Registration,
  all: readonly Registration[],
): { file: string; permissions: string }[] {
  const service = (
    unwrapSecret(container.inputs.labels).value as { label: string; value: string }[] | undefined
  )?.find((l) => l.label === "shipyard.service")?.value;
  const carrier = all.find((r) => r.name === `${service}-files` && r.inputs.start === false);
  return [container, carrier].flatMap(
    (r) =>
      (unwrapSecret(r?.inputs.uploads).value as { file: string; permissions: string }[] | undefined) ?? [],
  );
}

export function containerView(container: Registration, all: readonly Registration[] = []): ContainerView {
  const i = container.inputs as Inputs & {
    capabilities: { drops: string[]; adds: string[] };
    healthcheck: { tests: string[] };
    networksAdvanced: { name: string; aliases: string[] }[];
    ports: { ip: string; external: number; internal: number }[];
    mounts: { type: string; source?: string; target: string; readOnly?: boolean }[];
    volumes?: { fromContainer?: string; containerPath?: string }[];
    logOpts: Record<string, string>;
  };
  const uploads = uploadsOf(container, all);
  return {
    user: i.user,
    readOnly: i.readOnly,
    capDrop: i.capabilities.drops,
    capAdd: i.capabilities.adds,
    securityOpts: i.securityOpts,
    memoryMb: i.memory,
    cpus: i.cpus,
    restart: `${String(i.restart)}${i.maxRetryCount === undefined ? "" : `:${i.maxRetryCount as number}`}`,
    healthcheck: i.healthcheck.tests,
    wait: i.wait,
    networks: i.networksAdvanced.map((n) => `${n.name} as ${n.aliases.join(",")}`),
    ports: i.ports.map((p) => `${p.ip}:${p.external}->${p.internal}`),
    secretFiles: uploads.filter((u) => u.permissions === "0400").map((u) => u.file),
    mounts: [
      ...i.mounts.map(
        // A renewed volume's name ends in its revision, a random id: shown as <rev>.
        (m) =>
          `${m.type}:${(m.source ?? "(anonymous)").replace(/-[0-9a-f]{8}$/, "-<rev>")}:${m.target}${m.readOnly ? ":ro" : ""}`,
      ),
      // A file carrier's volumes, by its id (the mock's is `<name>-id`), and anonymous volumes.
      ...(i.volumes ?? []).map((v) =>
        v.fromContainer !== undefined
          ? `volumes-from:${v.fromContainer.replace(/-id(?=:ro$)/, "")}`
          : `anonymous:${v.containerPath!}`,
      ),
    ],
    logging: [i.logDriver, i.logOpts],
  };
}

/** Every container of a stack by name. */
/** The containers that run, as views, by name. */
export function containers(registrations: readonly Registration[]): Record<string, ContainerView> {
  const views: Record<string, ContainerView> = {};
  for (const r of registrations)
    // File carriers (start: false) run nothing: they have their own tests.
    if (r.type === "docker:index/container:Container" && r.inputs.start !== false)
      views[r.name] = containerView(r, registrations);
  return views;
}

/** The differences between two flat-ish objects as `path: a → b` lines, sorted. */
export function differences(a: unknown, b: unknown, path = ""): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a === undefined) return [`${path}: added`];
  if (b === undefined) return [`${path}: removed`];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differences(a[k], b[k], path === "" ? k : `${path}.${k}`));
  }
  return [`${path}: ${JSON.stringify(a) ?? "(none)"} → ${JSON.stringify(b) ?? "(none)"}`];
}

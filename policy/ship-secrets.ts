/**
 * SHIP-2 and SHIP-3: secrets never travel in env; they arrive as files under /run/secrets and are
 * named by `*_FILE` variables (DESIGN.md decision 5, research/reliability.md §1.2 point 6).
 */
import { LABEL } from "../components/labels";
import {
  CONTAINER,
  SERVICE,
  at,
  inspectEach,
  isFileCarrier,
  isUnknown,
  items,
  labelValue,
  show,
  str,
  workloadLabel,
} from "./inputs";
import { UNKNOWN, type RegisteredResource, type Rule, type Unknown } from "./types";

/** Env names that hold a secret when they carry the value itself. */
export const SECRET_ENV_NAME = /(PASSWORD|SECRET|TOKEN|PASSPHRASE|CREDENTIAL|API_KEY|PRIVATE_KEY)/i;

/** Env names that point at a secret file; the project reserves the `*_FILE` suffix for secrets. */
const FILE_ENV_NAME = /_FILE$/i;

export const SECRETS_DIR = "/run/secrets/";

interface EnvEntry {
  readonly key: string;
  readonly value: string | Unknown;
}

/** A workload's env input: `envs: ["K=V"]` on a container, `containerSpec.env: {K: V}` on a service. */
function envOf(r: RegisteredResource): { field: string; entries: EnvEntry[] } {
  if (r.type === SERVICE) {
    const field = "taskSpec.containerSpec.env";
    const env = at(r.inputs, field);
    if (isUnknown(env) || typeof env !== "object" || env === null) return { field, entries: [] };
    const entries = Object.entries(env as Record<string, unknown>).map(([key, value]): EnvEntry => ({
      key,
      value: isUnknown(value) ? value : (str(value) ?? ""),
    }));
    return { field, entries };
  }
  const entries = items(r.inputs["envs"]).flatMap((entry): EnvEntry[] => {
    const text = str(entry);
    if (text === undefined) return [];
    const eq = text.indexOf("=");
    return [eq < 0 ? { key: text, value: "" } : { key: text.slice(0, eq), value: text.slice(eq + 1) }];
  });
  return { field: "envs", entries };
}

/** The secret paths that lead into a workload's env (or a service's whole task spec). */
function secretEnvPaths(r: RegisteredResource): string[] {
  const intoEnv =
    r.type === SERVICE
      ? (p: string) =>
          ["taskSpec", "taskSpec.containerSpec"].includes(p) || p.startsWith("taskSpec.containerSpec.env")
      : (p: string) => p === "envs" || p.startsWith("envs.") || p.startsWith("envs[");
  return (r.secretPaths ?? []).filter(intoEnv);
}

export const noSecretsInEnv: Rule = {
  id: "SHIP-2",
  title: "No secret value is passed in env",
  severity: "critical",
  fix: "Deliver the secret as a file under /run/secrets (container: `uploads`; swarm: docker.Secret) and set `<NAME>_FILE`.",
  check: (resources) =>
    inspectEach(
      resources,
      [CONTAINER, SERVICE],
      (r) => {
        const { field, entries } = envOf(r);
        const named = entries
          .filter((e) => SECRET_ENV_NAME.test(e.key) && !FILE_ENV_NAME.test(e.key))
          .map(
            (e) =>
              `\`${field}\` sets ${e.key} directly; deliver the secret as a file under /run/secrets and set ${e.key}_FILE instead (SHIP-2)`,
          );
        const flagged = secretEnvPaths(r).map(
          (path) =>
            `\`${path}\` holds a secret value (a secret reached env); deliver it as a file under /run/secrets and point a *_FILE variable at it (SHIP-2)`,
        );
        return [...named, ...flagged];
      },
      { carriers: true },
    ),
};

/** A swarm secret's `fileName` is relative to /run/secrets unless absolute. */
function secretFilePath(fileName: string): string {
  return fileName.startsWith("/") ? fileName : `${SECRETS_DIR}${fileName}`;
}

/** `(field)[].(key)` of a resource as strings, or {@link UNKNOWN} when any is not known yet. */
function listed(r: RegisteredResource, list: string, key: string): string[] | Unknown {
  const entries = at(r.inputs, list);
  const values = items(entries).map((entry) => at(entry, key));
  if (isUnknown(entries) || values.some(isUnknown)) return UNKNOWN;
  return values.flatMap((v) => (str(v) === undefined ? [] : [str(v)!]));
}

/**
 * Whether a container mounts the volumes of another container (`volumes[].fromContainer`, Docker's
 * `--volumes-from`), or {@link UNKNOWN}. An entry whose container is not known yet (a new
 * carrier's id during preview) still mounts from one.
 */
function mountsFromContainer(r: RegisteredResource): boolean | Unknown {
  const volumes = at(r.inputs, "volumes");
  if (isUnknown(volumes)) return UNKNOWN;
  return items(volumes).some((v) => {
    const from = at(v, "fromContainer");
    return isUnknown(from) || (str(from) ?? "") !== "";
  });
}

/**
 * Files a container finds in the volumes of its file carrier: it mounts the carrier's volumes
 * (`volumes[].fromContainer`, by id, which policy cannot see), the carrier being the one labelled
 * `shipyard.files-for` with the container's `shipyard.service`; the files are the carrier's uploads
 * under the path of one of its volumes (`volumes[].containerPath`), where volumes-from mounts it.
 */
function carriedFiles(r: RegisteredResource, resources: readonly RegisteredResource[]): string[] | Unknown {
  const mounted = mountsFromContainer(r);
  if (mounted !== true) return mounted === false ? [] : UNKNOWN;
  const service = workloadLabel(r, LABEL.service);
  if (isUnknown(service)) return UNKNOWN;
  if (service === undefined) return [];
  const files: string[] = [];
  for (const carrier of resources.filter(isFileCarrier)) {
    const filesFor = labelValue(carrier.inputs["labels"], LABEL.filesFor);
    if (isUnknown(filesFor)) return UNKNOWN;
    if (filesFor !== service) continue;
    const dirs = listed(carrier, "volumes", "containerPath");
    const uploads = listed(carrier, "uploads", "file");
    if (isUnknown(dirs) || isUnknown(uploads)) return UNKNOWN;
    files.push(...uploads.filter((file) => dirs.some((dir) => file.startsWith(`${dir}/`))));
  }
  return files;
}

/** The secret files a workload receives, or {@link UNKNOWN} when they are not known yet. */
function deliveredFiles(
  r: RegisteredResource,
  resources: readonly RegisteredResource[],
): { field: string; files: string[] | Unknown } {
  if (r.type === SERVICE) {
    const names = listed(r, "taskSpec.containerSpec.secrets", "fileName");
    const field = "taskSpec.containerSpec.secrets[].fileName";
    return { field, files: isUnknown(names) ? UNKNOWN : names.map(secretFilePath) };
  }
  const own = listed(r, "uploads", "file");
  const carried = carriedFiles(r, resources);
  const files = isUnknown(own) || isUnknown(carried) ? UNKNOWN : [...own, ...carried];
  return { field: "uploads[].file", files };
}

export const secretsAsFiles: Rule = {
  id: "SHIP-3",
  title: "Secrets are delivered as files under /run/secrets and named by *_FILE variables",
  severity: "high",
  fix: "Point every `*_FILE` variable under /run/secrets/ and deliver that file (container: `uploads[].file`; swarm: `containerSpec.secrets[].fileName`).",
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], (r) => {
      const { field, entries } = envOf(r);
      const delivered = deliveredFiles(r, resources);
      return entries
        .filter((e) => FILE_ENV_NAME.test(e.key))
        .flatMap((e) => {
          if (isUnknown(e.value)) return [];
          const sets = `\`${field}\` sets ${e.key} to ${show(e.value)}`;
          if (!e.value.startsWith(SECRETS_DIR)) {
            return [`${sets}, outside ${SECRETS_DIR}; deliver the secret file under ${SECRETS_DIR} (SHIP-3)`];
          }
          if (isUnknown(delivered.files) || delivered.files.includes(e.value)) return [];
          const deliver =
            r.type === SERVICE
              ? "attach the docker.Secret there"
              : "upload the secret file there, or mount the volumes of the file carrier that uploads it (`volumes[].fromContainer`)";
          return [`${sets}, but nothing delivers that file (\`${delivered.field}\`); ${deliver} (SHIP-3)`];
        });
    }),
};

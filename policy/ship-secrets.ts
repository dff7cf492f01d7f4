/**
 * SHIP-2 and SHIP-3: secrets never travel in env; they arrive as files under /run/secrets and are
 * named by `*_FILE` variables (DESIGN.md decision 5, research/reliability.md §1.2 point 6).
 */
import { CONTAINER, SERVICE, at, inspectEach, isUnknown, items, show, str } from "./inputs";
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
    inspectEach(resources, [CONTAINER, SERVICE], (r) => {
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
    }),
};

/** A swarm secret's `fileName` is relative to /run/secrets unless absolute. */
function secretFilePath(fileName: string): string {
  return fileName.startsWith("/") ? fileName : `${SECRETS_DIR}${fileName}`;
}

/** The secret files a workload receives, or {@link UNKNOWN} when they are not known yet. */
function deliveredFiles(r: RegisteredResource): { field: string; files: string[] | Unknown } {
  const [list, key, field] =
    r.type === SERVICE
      ? ["taskSpec.containerSpec.secrets", "fileName", "taskSpec.containerSpec.secrets[].fileName"]
      : ["uploads", "file", "uploads[].file"];
  const entries = at(r.inputs, list);
  const names = items(entries).map((entry) => at(entry, key));
  if (isUnknown(entries) || names.some(isUnknown)) return { field, files: UNKNOWN };
  const files = names.flatMap((name) => {
    const file = str(name);
    return file === undefined ? [] : [r.type === SERVICE ? secretFilePath(file) : file];
  });
  return { field, files };
}

export const secretsAsFiles: Rule = {
  id: "SHIP-3",
  title: "Secrets are delivered as files under /run/secrets and named by *_FILE variables",
  severity: "high",
  fix: "Point every `*_FILE` variable under /run/secrets/ and deliver that file (container: `uploads[].file`; swarm: `containerSpec.secrets[].fileName`).",
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], (r) => {
      const { field, entries } = envOf(r);
      const delivered = deliveredFiles(r);
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
            r.type === SERVICE ? "attach the docker.Secret there" : "upload the secret file there";
          return [`${sets}, but no \`${delivered.field}\` is ${show(e.value)}; ${deliver} (SHIP-3)`];
        });
    }),
};
